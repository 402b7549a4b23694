// own-code-cxx.cc - a C++ program whose memory is all held by standard
// containers filled in its own functions: each site must be the line of
// the program that called into the library (test-own-code.sh greps for
// the "site:" comments), not a frame of the library's headers.
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

struct Session {
	long id;
	char payload[40];
};

static std::map<long, Session> registry;
static std::vector<long> ids;
static std::string journal;
static std::unordered_map<long, std::string> names;
static std::vector<std::shared_ptr<Session>> shared;
static std::vector<std::unique_ptr<Session>> owned;
static std::deque<long> queue;

__attribute__((noinline)) static void
register_session(long id)
{
	registry[id] = Session{ id, {} };	// site: map
}

__attribute__((noinline)) static void
remember(long id)
{
	ids.push_back(id);	// site: vector
}

__attribute__((noinline)) static void
log_session(long id)
{
	journal += "session " + std::to_string(id) + " opened; ";	// site: string
}

__attribute__((noinline)) static void
name_session(long id)
{
	names.emplace(id, "a session name long enough for the heap");	// site: unordered_map
}

__attribute__((noinline)) static void
share_session(long id)
{
	shared.push_back(std::make_shared<Session>(Session{ id, {} }));	// site: make_shared
}

__attribute__((noinline)) static void
own_session(long id)
{
	owned.push_back(std::make_unique<Session>(Session{ id, {} }));	// site: make_unique
}

__attribute__((noinline)) static void
enqueue(long id)
{
	queue.push_back(id);	// site: deque
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? std::atol(argv[1]) : 2000;

	(void)argv;
	for (long i = 0; i < n; i++) {
		register_session(i);
		remember(i);
		log_session(i);
		name_session(i);
		share_session(i);
		own_session(i);
		enqueue(i);
	}
	return 0;
}
