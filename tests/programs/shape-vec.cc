// shape-vec.cc - a std::vector grown by push_back all through the run and
// destroyed at the end of main.
//
// usage: shape-vec MODE MS PUSHES_PER_S
//
//   plain    record_sample pushes 48-byte structs into a vector<Sample>
//            (one block, its capacity doubling as it grows).
//   strings  record_name pushes 40..60-character std::strings (each its own
//            heap block, beyond the short-string buffer) into a
//            vector<std::string>, whose own buffer doubles too.
//
// PUSHES_PER_S pushes a second, evenly, for MS milliseconds; the vector is
// a local of main, so its memory is freed only by main's teardown, after
// the work is done.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

struct Sample {
	long id;
	double t;
	double v[4];
};

static double
now()
{
	timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void
record_sample(std::vector<Sample> &v, long id, double t)
{
	v.push_back(Sample{id, t, {t, t * 2, t * 3, t * 4}});
}

__attribute__((noinline)) static void
record_name(std::vector<std::string> &v, long id)
{
	v.push_back("connection-from-host-" + std::to_string(id * 7919) +
	    std::string(id % 21, '.') + ".example.org");
}

int
main(int argc, char **argv)
{
	if (argc < 4) {
		std::fprintf(stderr, "usage: shape-vec plain|strings MS PUSHES_PER_S\n");
		return 2;
	}
	bool strings = !std::strcmp(argv[1], "strings");
	double run_s = std::atof(argv[2]) / 1000, rate = std::atof(argv[3]);
	std::vector<Sample> samples;
	std::vector<std::string> names;
	const timespec ms = {0, 1000000};
	long done = 0;
	double t0 = now(), t;

	for (;;) {	// SHAPE_PACE (shape-clock.h)
		bool last = (t = now() - t0) >= run_s;

		while (done < rate * (last ? run_s : t)) {
			if (strings)
				record_name(names, done);
			else
				record_sample(samples, done, t);
			done++;
		}
		if (last)
			break;
		nanosleep(&ms, nullptr);
	}
	std::printf("%zu samples, %zu names\n", samples.size(), names.size());
	return 0;
}
