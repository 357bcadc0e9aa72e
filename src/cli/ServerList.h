// ServerList: server addresses from the command line (--server) and from files (--servers), as
// `run` and `check` take them.
#pragma once

#include <string>
#include <vector>

namespace smtpx::cli {

// The address in canonical form ("host:port", default port 25); throws UsageError when bad.
std::string checkedServer(const std::string& text);

// Appends the servers of a file, one per line; blank lines and '#' comments are skipped.
// Throws UsageError for a file it cannot read or a bad address.
void readServersFile(const std::string& path, std::vector<std::string>& servers);

} // namespace smtpx::cli
