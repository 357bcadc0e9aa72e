// ServeTextHandler: answers with a fixed status and a short text — the exporter's index page, a
// 404 or a 405 — and sends such answers for the other handlers.
#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPResponse.h>

#include <string>

namespace smtpx::cli {

class ServeTextHandler : public Poco::Net::HTTPRequestHandler
{
public:
	ServeTextHandler(Poco::Net::HTTPResponse::HTTPStatus status, std::string text);

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

	static void send(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
		const std::string& body, const std::string& contentType = "text/plain; charset=utf-8");

private:
	Poco::Net::HTTPResponse::HTTPStatus _status;
	std::string _text;
};

} // namespace smtpx::cli
