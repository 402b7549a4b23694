// work-end-cxx.cc - a static std::map filled by main and destroyed by its
// static destructor after main returns: the node frees come after the
// recorder's end-of-work mark.  Each node of std::map<long, long> is a
// 48-byte block; main adds 64 of them and returns 0.
#include <map>

static std::map<long, long> registry;

int
main()
{
	for (long i = 0; i < 64; i++)
		registry[i] = i * i;
	return registry.size() == 64 ? 0 : 1;
}
