// TlsFlags: the TLS options of the subcommands that connect (--tls-ca-file, --insecure, ...).
#pragma once

#include "cli/ArgumentList.h"
#include "net/TlsOptions.h"

#include <string>

namespace smtpx::cli {

// When `arg` is a TLS option, takes its value from `list` into `options` and returns true.
// Throws UsageError for a file that cannot be read or a version other than 1.2 or 1.3.
bool takeTlsFlag(const std::string& arg, ArgumentList& list, net::TlsOptions& options);

} // namespace smtpx::cli
