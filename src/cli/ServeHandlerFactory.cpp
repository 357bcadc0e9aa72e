#include "cli/ServeHandlerFactory.h"

#include "cli/ServeMetricsHandler.h"
#include "cli/ServeProbeHandler.h"
#include "cli/ServeTextHandler.h"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

namespace smtpx::cli {

namespace {

using Poco::Net::HTTPResponse;

constexpr const char* kIndex =
	"smtpx serve " SMTPX_VERSION ": an SMTP prober for Prometheus\n"
	"\n"
	"  /probe?target=HOST[:PORT]&module=NAME   check one server, answer in the Prometheus format\n"
	"  /metrics                                the exporter's own metrics\n";

// The path without the query; "" for a request line Poco::URI cannot read.
std::string pathOf(const std::string& uri)
{
	try
	{
		return Poco::URI(uri).getPath();
	}
	catch (const Poco::SyntaxException&)
	{
		return "";
	}
}

} // namespace

ServeHandlerFactory::ServeHandlerFactory(const ServeConfig& config, const DataPaths& paths, ServeStats& stats,
	ServeProbeLog& log):
	_config(config), _paths(paths), _stats(stats), _log(log)
{
}

Poco::Net::HTTPRequestHandler* ServeHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request)
{
	std::string path = pathOf(request.getURI());
	bool known = path == "/probe" || path == "/metrics" || path == "/";
	if (!known)
	{
		_stats.badRequest();
		return new ServeTextHandler(HTTPResponse::HTTP_NOT_FOUND, "not found: try /probe?target=HOST[:PORT] or /metrics\n");
	}
	if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET)
	{
		_stats.badRequest();
		return new ServeTextHandler(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "only GET is served\n");
	}
	if (path == "/probe") return new ServeProbeHandler(_config, _paths, _stats, _log);
	if (path == "/metrics") return new ServeMetricsHandler(_stats);
	return new ServeTextHandler(HTTPResponse::HTTP_OK, kIndex);
}

} // namespace smtpx::cli
