#include "cli/CheckCommand.h"

#include "cli/CheckOptions.h"
#include "cli/CheckRunner.h"
#include "cli/StdoutToStderr.h"
#include "cli/UsageError.h"
#include "report/JsonLines.h"
#include "report/JsonReport.h"
#include "report/NagiosReport.h"
#include "report/PrometheusReport.h"

#include <iostream>

namespace smtpx::cli {

namespace {

constexpr int kUnknown = static_cast<int>(report::CheckState::Unknown);

bool hasAny(const std::vector<std::string>& args, std::initializer_list<const char*> names)
{
	for (const auto& arg : args)
		for (const char* name : names)
			if (arg == name) return true;
	return false;
}

int writeReport(const CheckOptions& options, const std::vector<report::CheckResult>& results)
{
	switch (options.format)
	{
	case CheckOptions::Format::Prometheus:
		report::PrometheusReport::write(std::cout, results);
		break;
	case CheckOptions::Format::Json:
		report::JsonReport::write(std::cout, results);
		break;
	case CheckOptions::Format::JsonLines:
	{
		report::JsonLines lines(std::cout);
		for (const auto& result : results) lines.write(report::JsonReport::toJson(result));
		break;
	}
	case CheckOptions::Format::Nagios:
		return report::NagiosReport(options.policy).write(std::cout, results);
	}
	return static_cast<int>(report::NagiosReport::overall(results));
}

int run(const std::vector<std::string>& args, const DataPaths& paths)
{
	CheckOptions options = CheckOptions::parse(args);
	if (options.servers.empty()) throw UsageError("no server to check: -H HOST[:PORT] or --servers FILE");
	report::Transcript::Options transcriptOptions;
	transcriptOptions.quiet = !options.verbose;
	transcriptOptions.labels = options.servers.size() > 1;
	transcriptOptions.filePath = options.transcriptFile;
	// Monitoring systems read stdout only; the dialogue goes to stderr, and only when asked for.
	std::ostream silent(nullptr);
	report::Transcript transcript(options.verbose ? std::cerr : silent, transcriptOptions);
	std::vector<report::CheckResult> results;
	{
		bool json = options.format == CheckOptions::Format::Json || options.format == CheckOptions::Format::JsonLines;
		StdoutToStderr scriptOutput(json);
		results = runChecks(options, paths, transcript);
	}
	return writeReport(options, results);
}

} // namespace

int checkCommand(const std::vector<std::string>& args, const DataPaths& paths)
{
	if (hasAny(args, {"-h", "--help"}))
	{
		std::cout << checkUsage();
		return kUnknown;
	}
	if (hasAny(args, {"-V", "--version"}))
	{
		std::cout << "smtpx check " SMTPX_VERSION "\n";
		return kUnknown;
	}
	// With --json, stdout holds JSON lines only, and none when nothing was checked.
	std::ostream& status = hasAny(args, {"--json"}) ? std::cerr : std::cout;
	try
	{
		return run(args, paths);
	}
	catch (const UsageError& e)
	{
		status << "SMTP UNKNOWN - " << e.what() << "\n";
		std::cerr << "Try 'smtpx check --help'.\n";
	}
	catch (const std::exception& e)
	{
		status << "SMTP UNKNOWN - " << e.what() << "\n";
	}
	return kUnknown;
}

} // namespace smtpx::cli
