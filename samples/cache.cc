// cache.cc - an LRU cache (C++ new/delete) that fills up and plateaus.
//
// usage: cache LOOKUPS CAPACITY
// Values are `new Value` (236 bytes: no
// container node or bucket array has that size).  Prints "misses N evictions M"
// so the test can check the trace against the program's own count: N
// Values allocated, M deleted, CAPACITY (or fewer) still live at the end.
// It pauses 1 ms every 1000 lookups, like a server between requests, so a
// run lasts at least LOOKUPS microseconds however fast the machine is.
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <list>
#include <unordered_map>

struct Value {
	char payload[236];
};

int
main(int argc, char **argv)
{
	long lookups = argc > 1 ? std::atol(argv[1]) : 20000;
	size_t capacity = argc > 2 ? std::atol(argv[2]) : 500;
	std::list<std::pair<long, Value *>> lru;
	std::unordered_map<long, std::list<std::pair<long, Value *>>::iterator> index;
	long misses = 0, evictions = 0;
	unsigned seed = 42;
	const struct timespec pause = { 0, 1000000 };

	for (long i = 0; i < lookups; i++) {
		if (i % 1000 == 999)
			nanosleep(&pause, nullptr);
		long key = rand_r(&seed) % (long)(capacity * 3);
		auto it = index.find(key);

		if (it != index.end()) {
			lru.splice(lru.begin(), lru, it->second);
			continue;
		}
		misses++;
		lru.emplace_front(key, new Value());
		index[key] = lru.begin();
		if (lru.size() > capacity) {
			delete lru.back().second;
			index.erase(lru.back().first);
			lru.pop_back();
			evictions++;
		}
	}
	std::printf("misses %ld evictions %ld\n", misses, evictions);
	std::fflush(stdout);
	// Leave the cache as it is: CAPACITY Values live at exit.
	new (&lru) decltype(lru)();	// forget the list without freeing
	new (&index) decltype(index)();
	return 0;
}
