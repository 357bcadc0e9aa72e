#include "net/HistoryFile.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace smtpx::net {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path)
{
	throw std::runtime_error("cannot " + what + " the history file " + path + ": " + std::strerror(errno));
}

// mkdir -p, each directory it makes private to its owner (XDG's base directories are 0700).
void makeDirectories(const std::filesystem::path& dir, const std::string& file)
{
	if (dir.empty() || std::filesystem::is_directory(dir)) return;
	makeDirectories(dir.parent_path(), file);
	if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("create the directory for", file);
}

// Opens for writing with mode 0600 whether the file is new or not (umask can only take bits away).
int openPrivate(const std::string& path, int flags)
{
	int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, 0600);
	if (fd < 0 || ::fchmod(fd, 0600) != 0)
	{
		if (fd >= 0) ::close(fd);
		return -1;
	}
	return fd;
}

bool writeAll(int fd, const std::string& text)
{
	for (std::size_t done = 0; done < text.size();)
	{
		ssize_t written = ::write(fd, text.data() + done, text.size() - done);
		if (written < 0 && errno == EINTR) continue;
		if (written <= 0) return false;
		done += static_cast<std::size_t>(written);
	}
	return true;
}

void writeFile(const std::string& path, int flags, const std::string& text)
{
	int fd = openPrivate(path, flags);
	if (fd < 0) fail("open", path);
	bool written = writeAll(fd, text);
	if (::close(fd) != 0 || !written) fail("write", path);
}

} // namespace

HistoryFile::HistoryFile(std::string path, std::size_t maxEntries):
	_path(std::move(path)),
	_maxEntries(maxEntries)
{
	makeDirectories(std::filesystem::path(_path).parent_path(), _path);
	std::ifstream in(_path);
	for (std::string line; std::getline(in, line);)
	{
		_entries.push_back(line);
		if (_entries.size() > _maxEntries) _entries.pop_front();
	}
	// Written back even when nothing was dropped: creates the file, and makes an old one 0600.
	rewrite();
}

void HistoryFile::add(const std::string& line)
{
	_entries.push_back(line);
	if (_entries.size() <= _maxEntries) return append(line);
	_entries.pop_front();
	rewrite();
}

void HistoryFile::append(const std::string& line)
{
	writeFile(_path, O_APPEND, line + "\n");
}

// Through a new file renamed over the old, so a crash never leaves half a history.
void HistoryFile::rewrite()
{
	std::string text;
	for (const auto& entry : _entries) text += entry + "\n";
	std::string fresh = _path + ".new";
	writeFile(fresh, O_TRUNC, text);
	if (::rename(fresh.c_str(), _path.c_str()) != 0) fail("replace", _path);
}

} // namespace smtpx::net
