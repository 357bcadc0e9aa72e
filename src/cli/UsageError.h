// UsageError: a command line that cannot be run; main prints it with a hint and exits 2.
#pragma once

#include <stdexcept>

namespace smtpx::cli {

class UsageError : public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

} // namespace smtpx::cli
