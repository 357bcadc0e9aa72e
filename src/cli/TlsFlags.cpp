#include "cli/TlsFlags.h"

#include "cli/UsageError.h"

#include <filesystem>
#include <fstream>

namespace smtpx::cli {

namespace {

std::string readableFile(const std::string& option, const std::string& path)
{
	if (!std::filesystem::is_regular_file(path) || !std::ifstream(path))
		throw UsageError(option + ": cannot read file " + path);
	return path;
}

std::string directory(const std::string& option, const std::string& path)
{
	if (!std::filesystem::is_directory(path)) throw UsageError(option + ": no directory " + path);
	return path;
}

std::string protocolVersion(const std::string& option, const std::string& version)
{
	if (version != "1.2" && version != "1.3") throw UsageError(option + " must be 1.2 or 1.3, not '" + version + "'");
	return version;
}

} // namespace

bool takeTlsFlag(const std::string& arg, ArgumentList& list, net::TlsOptions& options)
{
	if (arg == "--tls-ca-file") options.caFile = readableFile(arg, list.value(arg));
	else if (arg == "--tls-ca-dir") options.caDir = directory(arg, list.value(arg));
	else if (arg == "--tls-cert") options.certFile = readableFile(arg, list.value(arg));
	else if (arg == "--tls-key") options.keyFile = readableFile(arg, list.value(arg));
	else if (arg == "--tls-min-version") options.minVersion = protocolVersion(arg, list.value(arg));
	else if (arg == "--tls-ciphers") options.ciphers = list.value(arg);
	else if (arg == "--insecure") options.insecure = true;
	else return false;
	return true;
}

} // namespace smtpx::cli
