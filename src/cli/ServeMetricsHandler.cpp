#include "cli/ServeMetricsHandler.h"

#include "cli/ServeTextHandler.h"
#include "report/PrometheusReport.h"

#include <sstream>

namespace smtpx::cli {

void ServeMetricsHandler::handleRequest(Poco::Net::HTTPServerRequest&, Poco::Net::HTTPServerResponse& response)
{
	std::ostringstream body;
	_stats.write(body);
	ServeTextHandler::send(response, Poco::Net::HTTPResponse::HTTP_OK, body.str(), report::PrometheusReport::kContentType);
}

} // namespace smtpx::cli
