#include "cli/ServeProbeHandler.h"

#include "cli/CheckRunner.h"
#include "cli/ServeTextHandler.h"
#include "net/Endpoint.h"
#include "report/PrometheusReport.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/NumberParser.h>
#include <Poco/URI.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <stdexcept>

namespace smtpx::cli {

namespace {

using Poco::Net::HTTPResponse;

// The query's parameters; one given twice is refused rather than guessed at.
std::map<std::string, std::string> queryOf(const std::string& uri)
{
	std::map<std::string, std::string> query;
	try
	{
		for (const auto& [name, value] : Poco::URI(uri).getQueryParameters())
			if (!query.emplace(name, value).second) throw std::invalid_argument("'" + name + "' is given twice");
	}
	catch (const Poco::SyntaxException& e)
	{
		throw std::invalid_argument("bad URI: " + e.message());
	}
	return query;
}

double scrapeTimeout(const Poco::Net::HTTPServerRequest& request)
{
	double seconds = 0;
	if (!Poco::NumberParser::tryParseFloat(request.get("X-Prometheus-Scrape-Timeout-Seconds", ""), seconds)) return 0;
	return seconds;
}

} // namespace

ServeProbeHandler::ServeProbeHandler(const ServeConfig& config, const DataPaths& paths, ServeStats& stats, ServeProbeLog& log):
	_config(config), _paths(paths), _stats(stats), _log(log)
{
}

CheckOptions ServeProbeHandler::optionsFor(const Poco::Net::HTTPServerRequest& request, std::string& moduleName) const
{
	auto query = queryOf(request.getURI());
	auto target = query.find("target");
	if (target == query.end() || target->second.empty())
		throw std::invalid_argument("no target: /probe?target=HOST[:PORT]&module=NAME");
	auto module = query.find("module");
	moduleName = module == query.end() ? "default" : module->second;
	const CheckOptions* options = _config.module(moduleName);
	if (!options) throw std::invalid_argument("no module '" + moduleName + "' (modules: " + _config.moduleNames() + ")");
	CheckOptions probeOptions = *options;
	try
	{
		probeOptions.servers = {net::Endpoint::parse(target->second).toString()};
	}
	catch (const std::invalid_argument& e)
	{
		throw std::invalid_argument(std::string("bad target: ") + e.what());
	}
	double scrape = scrapeTimeout(request);
	if (scrape > kScrapeMargin) probeOptions.timeout = std::min(probeOptions.timeout, scrape - kScrapeMargin);
	return probeOptions;
}

void ServeProbeHandler::probe(CheckOptions options, const std::string& moduleName, Poco::Net::HTTPServerResponse& response)
{
	// Nobody reads a probe's dialogue; the result says what went wrong.
	std::ostream silent(nullptr);
	report::Transcript transcript(silent, report::Transcript::Options());
	auto started = std::chrono::steady_clock::now();
	_stats.probeStarted();
	std::vector<report::CheckResult> results;
	try
	{
		results = runChecks(options, _paths, transcript);
	}
	catch (...)
	{
		_stats.probeFinished(moduleName, false, 0);
		throw;
	}
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
	bool success = !results.empty() && results.front().succeeded();
	_stats.probeFinished(moduleName, success, seconds);
	if (!results.empty()) _log.probe(options.servers.front(), moduleName, results.front(), seconds);
	std::ostringstream body;
	report::PrometheusReport::write(body, results);
	ServeTextHandler::send(response, HTTPResponse::HTTP_OK, body.str(), report::PrometheusReport::kContentType);
}

void ServeProbeHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	try
	{
		std::string moduleName;
		CheckOptions options;
		try
		{
			options = optionsFor(request, moduleName);
		}
		catch (const std::invalid_argument& e)
		{
			_stats.badRequest();
			ServeTextHandler::send(response, HTTPResponse::HTTP_BAD_REQUEST, std::string(e.what()) + "\n");
			return;
		}
		probe(std::move(options), moduleName, response);
	}
	catch (const std::exception& e)
	{
		ServeTextHandler::send(response, HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, std::string("probe failed: ") + e.what() + "\n");
	}
}

} // namespace smtpx::cli
