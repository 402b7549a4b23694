// service.cc - a small request server with the three kinds of heap use a
// C++ service has: a session registry that grows all run, an LRU cache
// capped at CAPACITY entries, and per-request temporaries.
//
// usage: service MS REQUESTS_PER_S CAPACITY [leaked]
//
// REQUESTS_PER_S requests a second, evenly, for MS milliseconds.  Every
// fourth request opens a session: register_session adds a Session (its
// user name a 30-odd-character std::string on the heap) to a
// std::map<int, Session>, never removed.  The registry is a static
// std::map, destroyed by the static destructors after main returns; with
// "leaked" it is new'ed in main instead and never deleted.  Every request
// looks a key up in LruCache (std::list + std::unordered_map, keys drawn
// from 0..3*CAPACITY-1, 300-byte string values, least recently used
// evicted past CAPACITY) and builds its reply from a std::vector<int> and
// a std::string that are freed when handle_request returns.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <list>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

struct Session {
	int id;
	std::string user;
	double opened;
};

static std::map<int, Session> static_registry;
static std::map<int, Session> *registry = &static_registry;

class LruCache {
public:
	explicit LruCache(size_t cap) : cap_(cap) {}
	size_t capacity() const { return cap_; }
	const std::string *get(int key);
	void put(int key, const char *value);

private:
	size_t cap_;
	std::list<std::pair<int, std::string>> items_;
	std::unordered_map<int, std::list<std::pair<int, std::string>>::iterator> index_;
};

const std::string *
LruCache::get(int key)
{
	auto it = index_.find(key);

	if (it == index_.end())
		return nullptr;
	items_.splice(items_.begin(), items_, it->second);
	return &it->second->second;
}

__attribute__((noinline)) void
LruCache::put(int key, const char *value)
{
	items_.emplace_front(key, std::string(value, 300));
	index_[key] = items_.begin();
	if (items_.size() > cap_) {
		index_.erase(items_.back().first);
		items_.pop_back();
	}
}

static double
now()
{
	timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) void
register_session(int id, double t)
{
	Session s;

	s.id = id;
	s.user = "user-" + std::to_string(id) + "@sessions.example.org";
	s.opened = t;
	registry->emplace(id, std::move(s));	// the registry's node
}

__attribute__((noinline)) size_t
handle_request(int id, LruCache &cache, unsigned *seed)
{
	static const char filler[301] = {'v'};
	std::vector<int> fields(50 + rand_r(seed) % 400, id);
	std::string reply = "HTTP/1.1 200 OK\r\nX-Request: " + std::to_string(id) + "\r\n";
	int key = rand_r(seed) % (int)(cache.capacity() * 3);
	const std::string *v = cache.get(key);

	if (!v)
		cache.put(key, filler);
	reply.append(fields.size(), 'x');
	return reply.size() + fields[fields.size() / 2];
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		std::fprintf(stderr, "usage: service MS REQUESTS_PER_S CAPACITY [leaked]\n");
		return 2;
	}
	double run_s = std::atof(argv[1]) / 1000, rate = std::atof(argv[2]);
	size_t cap = std::atol(argv[3]);
	if (argc > 4 && !std::strcmp(argv[4], "leaked"))
		registry = new std::map<int, Session>;	// never deleted
	LruCache *cache = new LruCache(cap);
	const timespec ms = {0, 1000000};
	unsigned seed = 9;
	size_t sum = 0;
	long done = 0;
	double t0 = now(), t;

	for (;;) {	// SHAPE_PACE (shape-clock.h)
		bool last = (t = now() - t0) >= run_s;

		while (done < rate * (last ? run_s : t)) {
			sum += handle_request((int)done, *cache, &seed);
			if (done % 4 == 0)
				register_session((int)done, t);
			done++;
		}
		if (last)
			break;
		nanosleep(&ms, nullptr);
	}
	std::printf("%ld requests, %zu sessions (sum %zu)\n", done, registry->size(), sum);
	return 0;
}
