// ServeHandlerFactory: routes the exporter's requests — /probe, /metrics, / — to their handlers.
#pragma once

#include "cli/DataPaths.h"
#include "cli/ServeConfig.h"
#include "cli/ServeProbeLog.h"
#include "cli/ServeStats.h"

#include <Poco/Net/HTTPRequestHandlerFactory.h>

namespace smtpx::cli {

class ServeHandlerFactory : public Poco::Net::HTTPRequestHandlerFactory
{
public:
	ServeHandlerFactory(const ServeConfig& config, const DataPaths& paths, ServeStats& stats, ServeProbeLog& log);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	const ServeConfig& _config;
	const DataPaths& _paths;
	ServeStats& _stats;
	ServeProbeLog& _log;
};

} // namespace smtpx::cli
