// registry.cc - a C++ service shaped like many: every session it ever
// saw kept in a static std::map (a leak: it grows all run; its static
// destructor frees it at exit, so valgrind sees no leak), an LRU cache
// capped at a fixed number of entries (bounded), and per-request
// temporaries (freed).  heaptrail judges it at the end of the work, before
// that destructor runs: the registry is a leak "released at exit", named
// at register_session's own line; the cache is steady.
//
// usage: registry [REQUESTS]   (default 20000, one every 50 us or so)

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

struct Session {
	std::string user;
	long started;
};

static std::map<long, Session> sessions;	// never trimmed: the bug

static void
register_session(long id)
{
	sessions[id] = Session{ "user-" + std::to_string(id), id };
}

// Keeps the last CAPACITY pages looked up.
class PageCache {
public:
	explicit PageCache(size_t capacity) : capacity_(capacity) {}

	const std::vector<char> &get(long page)
	{
		auto hit = index_.find(page);

		if (hit != index_.end()) {
			order_.splice(order_.begin(), order_, hit->second);
			return hit->second->second;
		}
		order_.emplace_front(page, std::vector<char>(256, 'p'));
		index_[page] = order_.begin();
		if (index_.size() > capacity_) {
			index_.erase(order_.back().first);
			order_.pop_back();
		}
		return order_.front().second;
	}

private:
	size_t capacity_;
	std::list<std::pair<long, std::vector<char>>> order_;
	std::unordered_map<long, decltype(order_)::iterator> index_;
};

static size_t
handle_request(long id, PageCache &cache)
{
	std::string reply = "reply to request " + std::to_string(id);
	std::vector<long> pages(16, id);

	return reply.size() + cache.get(rand() % 4000).size() + pages[0];
}

int
main(int argc, char **argv)
{
	long requests = argc > 1 ? atol(argv[1]) : 20000;
	PageCache cache(1000);
	struct timespec pause = { 0, 50000 };
	size_t sum = 0;

	for (long i = 0; i < requests; i++) {
		sum += handle_request(i, cache);
		if (i % 4 == 0)
			register_session(i);
		nanosleep(&pause, NULL);
	}
	printf("%zu sessions, %zu\n", sessions.size(), sum % 10);
	return 0;
}
