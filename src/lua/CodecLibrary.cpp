// The encoding helpers of the `smtp` table (base64, HMAC-MD5, RFC 2047 words, CRLF, MIME
// messages) and smtp.prompt_secret. The work is done in Codec.cpp; this file only converts
// between Lua values and C++ ones.
#include "lua/Binding.h"
#include "lua/Codec.h"

#include <csignal>
#include <fcntl.h>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <termios.h>
#include <unistd.h>

namespace smtpx::lua {

namespace {

std::string_view checkText(lua_State* L, int index)
{
	std::size_t length;
	const char* text = luaL_checklstring(L, index, &length);
	return {text, length};
}

void pushText(lua_State* L, std::string_view text)
{
	lua_pushlstring(L, text.data(), text.size());
}

// smtp.base64_encode(bytes) -> base64 on one line
int base64Encode(lua_State* L)
{
	pushText(L, codec::encodeBase64(checkText(L, 1)));
	return 1;
}

// smtp.base64_decode(text) -> bytes, or nil and a message when text is not base64
int base64Decode(lua_State* L)
{
	std::string_view text = checkText(L, 1);
	try
	{
		pushText(L, codec::decodeBase64(text));
		return 1;
	}
	catch (const std::invalid_argument& e)
	{
		lua_pushnil(L);
		lua_pushstring(L, e.what());
		return 2;
	}
}

// smtp.hmac_md5(key, data) -> 32 hex digits
int hmacMd5(lua_State* L)
{
	pushText(L, codec::hmacMd5Hex(checkText(L, 1), checkText(L, 2)));
	return 1;
}

// smtp.encode_words(text [, charset]) -> text, or RFC 2047 encoded words when not ASCII
int encodeWords(lua_State* L)
{
	std::size_t length;
	const char* charset = luaL_optlstring(L, 2, "UTF-8", &length);
	pushText(L, codec::encodeWords(checkText(L, 1), std::string_view(charset, length)));
	return 1;
}

// smtp.crlf(text) -> text with every line end as CRLF
int crlf(lua_State* L)
{
	pushText(L, codec::toCrlf(checkText(L, 1)));
	return 1;
}

std::optional<std::string> optStringField(lua_State* L, int index, const char* name)
{
	lua_getfield(L, index, name);
	std::optional<std::string> value;
	if (!lua_isnil(L, -1))
	{
		if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "field '%s' must be a string", name);
		std::size_t length;
		const char* text = lua_tolstring(L, -1, &length);
		value.emplace(text, length);
	}
	lua_pop(L, 1);
	return value;
}

std::string stringField(lua_State* L, int index, const char* name, const char* fallback)
{
	return optStringField(L, index, name).value_or(fallback);
}

// {{"Name", "value"}, ...}
void readHeaders(lua_State* L, int index, codec::MessageSpec& spec)
{
	lua_getfield(L, index, "headers");
	if (!lua_isnil(L, -1))
	{
		luaL_checktype(L, -1, LUA_TTABLE);
		int headers = lua_gettop(L);
		lua_Integer n = luaL_len(L, headers);
		for (lua_Integer i = 1; i <= n; ++i)
		{
			lua_geti(L, headers, i);
			if (!lua_istable(L, -1)) luaL_error(L, "headers[%d] must be {name, value}", static_cast<int>(i));
			lua_geti(L, -1, 1);
			lua_geti(L, -2, 2);
			if (!lua_isstring(L, -2) || !lua_isstring(L, -1))
				luaL_error(L, "headers[%d] must be {name, value}", static_cast<int>(i));
			spec.headers.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
			lua_pop(L, 3);
		}
	}
	lua_pop(L, 1);
}

// {{path=, data=, name=, content_type=}, ...}
void readAttachments(lua_State* L, int index, codec::MessageSpec& spec)
{
	lua_getfield(L, index, "attachments");
	if (!lua_isnil(L, -1))
	{
		luaL_checktype(L, -1, LUA_TTABLE);
		int list = lua_gettop(L);
		lua_Integer n = luaL_len(L, list);
		for (lua_Integer i = 1; i <= n; ++i)
		{
			lua_geti(L, list, i);
			if (!lua_istable(L, -1)) luaL_error(L, "attachments[%d] must be a table", static_cast<int>(i));
			int item = lua_gettop(L);
			codec::Attachment attachment;
			attachment.path = stringField(L, item, "path", "");
			attachment.data = optStringField(L, item, "data");
			attachment.name = stringField(L, item, "name", "");
			attachment.contentType = stringField(L, item, "content_type", "");
			if (attachment.path.empty() && !attachment.data)
				luaL_error(L, "attachments[%d] needs a path or data", static_cast<int>(i));
			spec.attachments.push_back(std::move(attachment));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
}

// smtp.mime_message{headers=, text=, html=, charset=, encoding=, attachments=} -> message text
int mimeMessage(lua_State* L)
{
	luaL_checktype(L, 1, LUA_TTABLE);
	codec::MessageSpec spec;
	readHeaders(L, 1, spec);
	spec.text = optStringField(L, 1, "text");
	spec.html = optStringField(L, 1, "html");
	spec.charset = stringField(L, 1, "charset", "UTF-8");
	spec.encoding = stringField(L, 1, "encoding", "auto");
	readAttachments(L, 1, spec);
	pushText(L, codec::buildMessage(spec));
	return 1;
}

// Echo must come back on even when the user gives up with Ctrl-C at the prompt.
struct termios gSavedTerminal;
int gTerminalFd = -1;

extern "C" void restoreTerminalAndRaise(int signal)
{
	tcsetattr(gTerminalFd, TCSAFLUSH, &gSavedTerminal);
	std::signal(signal, SIG_DFL);
	std::raise(signal);
}

// Reads a line with echo off. Echo goes off (dropping what was typed ahead) before the prompt
// shows, as in getpass(3): afterwards, a quick answer to the prompt would be flushed away.
// nullopt when the prompt cannot be written.
std::optional<std::string> readLineWithoutEcho(int fd, const std::string& prompt)
{
	constexpr std::size_t kMaxSecret = 4096;
	struct termios quiet = gSavedTerminal;
	quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
	quiet.c_lflag |= ECHONL;
	gTerminalFd = fd;
	auto previousInt = std::signal(SIGINT, restoreTerminalAndRaise);
	auto previousTerm = std::signal(SIGTERM, restoreTerminalAndRaise);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	std::optional<std::string> line;
	if (write(fd, prompt.data(), prompt.size()) == static_cast<ssize_t>(prompt.size()))
	{
		line.emplace();
		char c;
		while (line->size() < kMaxSecret && read(fd, &c, 1) == 1 && c != '\n') *line += c;
		if (!line->empty() && line->back() == '\r') line->pop_back();
	}
	tcsetattr(fd, TCSAFLUSH, &gSavedTerminal);
	std::signal(SIGINT, previousInt);
	std::signal(SIGTERM, previousTerm);
	return line;
}

// Reads a line from the controlling terminal with echo off; nullopt when stdin is no terminal,
// so a script run from a pipe or a test never waits for a user who is not there.
std::optional<std::string> promptTerminal(const std::string& prompt)
{
	if (!isatty(STDIN_FILENO)) return std::nullopt;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) return std::nullopt;
	std::optional<std::string> answer;
	if (tcgetattr(fd, &gSavedTerminal) == 0) answer = readLineWithoutEcho(fd, prompt);
	close(fd);
	return answer;
}

// smtp.prompt_secret(prompt) -> the line typed, or nil and a reason when there is no terminal.
// The event loop stands still while the user types, so scripts prompt before they connect; one
// answer per prompt text serves every run of the process (--server a --server b asks once).
int promptSecret(lua_State* L)
{
	static std::map<std::string, std::string> answers;
	std::string prompt(checkText(L, 1));
	auto known = answers.find(prompt);
	if (known == answers.end())
	{
		auto answer = promptTerminal(prompt);
		if (!answer)
		{
			lua_pushnil(L);
			lua_pushliteral(L, "stdin is not a terminal");
			return 2;
		}
		known = answers.emplace(prompt, std::move(*answer)).first;
	}
	pushText(L, known->second);
	return 1;
}

const luaL_Reg kCodecFunctions[] = {
	{"base64_encode", protect<base64Encode>},
	{"base64_decode", protect<base64Decode>},
	{"hmac_md5", protect<hmacMd5>},
	{"encode_words", protect<encodeWords>},
	{"crlf", protect<crlf>},
	{"mime_message", protect<mimeMessage>},
	{"prompt_secret", protect<promptSecret>},
	{nullptr, nullptr},
};

} // namespace

void openCodecFunctions(lua_State* L)
{
	luaL_setfuncs(L, kCodecFunctions, 0);
}

} // namespace smtpx::lua
