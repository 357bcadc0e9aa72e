#include "cli/CheckCommand.h"

#include "cli/CheckOptions.h"
#include "cli/CheckRunner.h"
#include "cli/UsageError.h"
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
	return writeReport(options, runChecks(options, paths, transcript));
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
	try
	{
		return run(args, paths);
	}
	catch (const UsageError& e)
	{
		std::cout << "SMTP UNKNOWN - " << e.what() << "\n";
		std::cerr << "Try 'smtpx check --help'.\n";
	}
	catch (const std::exception& e)
	{
		std::cout << "SMTP UNKNOWN - " << e.what() << "\n";
	}
	return kUnknown;
}

} // namespace smtpx::cli
