// ServeConfig: the modules of `smtpx serve` — named check configurations a probe request picks
// with module=NAME — read from a JSON file:
//   {"modules": {"submission": {"stop-after": "auth", "starttls": true, "require": ["AUTH PLAIN"],
//                               "auth-user": "probe", "auth-password": "secret", "warning": "2"}}}
// Each key is a `smtpx check` option without its dashes; true stands for a flag, a list for a
// repeated option. The module "default" (a plain check through EHLO unless the file defines it)
// serves requests that name none.
#pragma once

#include "cli/CheckOptions.h"

#include <map>
#include <string>

namespace smtpx::cli {

class ServeConfig
{
public:
	// Only the module "default".
	ServeConfig();

	// Throws UsageError naming the file, the module and the option for anything it cannot take.
	static ServeConfig load(const std::string& path);

	// nullptr for a module the configuration does not have.
	const CheckOptions* module(const std::string& name) const;
	// "auth, banner, default": the module names for messages.
	std::string moduleNames() const;

private:
	std::map<std::string, CheckOptions> _modules;
};

} // namespace smtpx::cli
