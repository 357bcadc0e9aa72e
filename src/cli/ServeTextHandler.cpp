#include "cli/ServeTextHandler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

namespace smtpx::cli {

ServeTextHandler::ServeTextHandler(Poco::Net::HTTPResponse::HTTPStatus status, std::string text):
	_status(status), _text(std::move(text))
{
}

void ServeTextHandler::handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response)
{
	if (_status == Poco::Net::HTTPResponse::HTTP_METHOD_NOT_ALLOWED) response.set("Allow", "GET");
	send(response, _status, _text);
}

void ServeTextHandler::send(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
	const std::string& body, const std::string& contentType)
{
	response.setStatusAndReason(status);
	response.setContentType(contentType);
	response.setContentLength(static_cast<std::streamsize>(body.size()));
	response.send() << body;
}

} // namespace smtpx::cli
