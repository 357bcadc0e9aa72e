// ServeProbeHandler: GET /probe?target=HOST[:PORT]&module=NAME — checks the target with the
// module's options, on the handler's own thread (a fresh engine and event loop per probe), and
// answers with the result in the Prometheus text format. A request it cannot serve gets a 400
// with the reason; nothing a request holds can stop the exporter.
#pragma once

#include "cli/DataPaths.h"
#include "cli/ServeConfig.h"
#include "cli/ServeProbeLog.h"
#include "cli/ServeStats.h"

#include <Poco/Net/HTTPRequestHandler.h>

namespace smtpx::cli {

class ServeProbeHandler : public Poco::Net::HTTPRequestHandler
{
public:
	ServeProbeHandler(const ServeConfig& config, const DataPaths& paths, ServeStats& stats, ServeProbeLog& log);

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

	// Prometheus says how long it waits for an answer; the check gets that less this margin.
	static constexpr double kScrapeMargin = 0.5;

private:
	// The options for this request; throws std::invalid_argument with the reason for a 400.
	CheckOptions optionsFor(const Poco::Net::HTTPServerRequest& request, std::string& moduleName) const;
	void probe(CheckOptions options, const std::string& moduleName, Poco::Net::HTTPServerResponse& response);

	const ServeConfig& _config;
	const DataPaths& _paths;
	ServeStats& _stats;
	ServeProbeLog& _log;
};

} // namespace smtpx::cli
