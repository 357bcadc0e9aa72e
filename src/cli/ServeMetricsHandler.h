// ServeMetricsHandler: GET /metrics — the exporter's own metrics (ServeStats).
#pragma once

#include "cli/ServeStats.h"

#include <Poco/Net/HTTPRequestHandler.h>

namespace smtpx::cli {

class ServeMetricsHandler : public Poco::Net::HTTPRequestHandler
{
public:
	explicit ServeMetricsHandler(const ServeStats& stats): _stats(stats) {}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
	const ServeStats& _stats;
};

} // namespace smtpx::cli
