// request-loop.cc - a workload of `make bench`: a C++ server's inner loop.
//
// usage: request-loop REQUESTS
// Makes REQUESTS text requests from a fixed-seed PRNG ("GET /a/b?x=1
// HTTP/1.1", a few headers, a body), parses each into a struct with a
// path string, a header map and a body vector, "handles" it by looking
// its path up in a small bounded cache (a std::map of at most 256 entries
// with an LRU list, the oldest evicted) and building a response string.
// The allocations are those of std::string, std::map, std::vector and
// std::list as a real program makes them, a few dozen per request.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <string>
#include <vector>

namespace {

uint64_t rng = 0x9e3779b97f4a7c15ull;

uint64_t
next_rand()
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

const char *const words[] = {
	"api", "v1", "v2", "users", "items", "orders", "search", "static",
	"images", "thumbnails", "accounts", "settings", "reports", "daily",
	"export", "session", "notifications", "inbox", "archive", "metrics",
};
const size_t nwords = sizeof words / sizeof words[0];

const char *const header_names[] = {
	"Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language",
	"Cookie", "Authorization", "Content-Type", "X-Request-Id",
	"X-Forwarded-For", "Cache-Control", "Referer",
};
const size_t nheaders = sizeof header_names / sizeof header_names[0];

struct Request {
	std::string method;
	std::string path;
	std::map<std::string, std::string> query;
	std::map<std::string, std::string> headers;
	std::vector<unsigned char> body;
};

struct CacheEntry {
	std::string response;
	std::list<std::string>::iterator lru;
};

class Cache {
public:
	explicit Cache(size_t limit) : limit_(limit) {}

	const std::string *
	find(const std::string &key)
	{
		auto it = map_.find(key);
		if (it == map_.end())
			return nullptr;
		lru_.splice(lru_.begin(), lru_, it->second.lru);
		return &it->second.response;
	}

	void
	put(const std::string &key, std::string response)
	{
		if (map_.size() >= limit_) {
			map_.erase(lru_.back());
			lru_.pop_back();
		}
		lru_.push_front(key);
		map_[key] = CacheEntry{std::move(response), lru_.begin()};
	}

private:
	size_t limit_;
	std::map<std::string, CacheEntry> map_;
	std::list<std::string> lru_;
};

std::string
make_request()
{
	std::string text = next_rand() % 4 ? "GET " : "POST ";
	int depth = 1 + (int)(next_rand() % 4);
	for (int i = 0; i < depth; i++) {
		text += '/';
		text += words[next_rand() % nwords];
	}
	if (next_rand() % 2) {
		text += "?id=" + std::to_string(next_rand() % 100);
		if (next_rand() % 2)
			text += "&page=" + std::to_string(next_rand() % 10);
	}
	text += " HTTP/1.1\r\n";
	int n = 3 + (int)(next_rand() % 6);
	for (int i = 0; i < n; i++) {
		text += header_names[next_rand() % nheaders];
		text += ": ";
		text += words[next_rand() % nwords];
		text += std::string(next_rand() % 40, 'x');
		text += "\r\n";
	}
	text += "\r\n";
	size_t body = next_rand() % 8 == 0 ? next_rand() % 4096 : next_rand() % 64;
	for (size_t i = 0; i < body; i++)
		text += (char)('a' + i % 26);
	return text;
}

bool
parse(const std::string &text, Request &req)
{
	size_t sp = text.find(' ');
	size_t eol = text.find("\r\n");
	if (sp == std::string::npos || eol == std::string::npos)
		return false;
	req.method = text.substr(0, sp);
	size_t sp2 = text.find(' ', sp + 1);
	std::string target = text.substr(sp + 1, sp2 - sp - 1);
	size_t q = target.find('?');
	req.path = target.substr(0, q);
	if (q != std::string::npos) {
		std::string rest = target.substr(q + 1);
		size_t pos = 0;
		while (pos < rest.size()) {
			size_t amp = rest.find('&', pos);
			std::string pair = rest.substr(pos, amp - pos);
			size_t eq = pair.find('=');
			req.query[pair.substr(0, eq)] =
			    eq == std::string::npos ? "" : pair.substr(eq + 1);
			pos = amp == std::string::npos ? rest.size() : amp + 1;
		}
	}
	size_t pos = eol + 2;
	for (;;) {
		size_t end = text.find("\r\n", pos);
		if (end == std::string::npos)
			return false;
		if (end == pos) {
			pos += 2;
			break;
		}
		std::string line = text.substr(pos, end - pos);
		size_t colon = line.find(':');
		req.headers[line.substr(0, colon)] = line.substr(colon + 2);
		pos = end + 2;
	}
	req.body.assign(text.begin() + (long)pos, text.end());
	return true;
}

std::string
handle(const Request &req, Cache &cache)
{
	std::string key = req.method + " " + req.path;
	for (const auto &kv : req.query)
		key += "|" + kv.first + "=" + kv.second;
	if (req.body.empty() || req.method == "GET") {
		if (const std::string *hit = cache.find(key))
			return *hit;
	}
	std::string response = "HTTP/1.1 200 OK\r\nContent-Length: ";
	std::string payload = "{\"path\":\"" + req.path + "\",\"headers\":[";
	for (const auto &kv : req.headers)
		payload += "\"" + kv.first + "\",";
	payload += "],\"body\":" + std::to_string(req.body.size()) + "}";
	response += std::to_string(payload.size()) + "\r\n\r\n" + payload;
	cache.put(key, response);
	return response;
}

} // namespace

int
main(int argc, char **argv)
{
	long requests = argc > 1 ? atol(argv[1]) : 100000;
	Cache cache(256);
	unsigned long total = 0, bad = 0;

	for (long i = 0; i < requests; i++) {
		std::string text = make_request();
		Request req;
		if (!parse(text, req)) {
			bad++;
			continue;
		}
		total += handle(req, cache).size();
	}
	printf("%lu bytes, %lu bad\n", total, bad);
	return 0;
}
