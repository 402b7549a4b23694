// templates.cc - C++ test program for the symbolizer: templates,
// namespaces, lambdas, methods and inlining at -O2.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace shapes {

template <typename T> struct box {
	std::vector<T> items;

	void add(T v) { items.push_back(v); }
	T sum() const
	{
		T s{};
		for (auto &v : items)
			s += v;
		return s;
	}
};

struct registry {
	std::map<std::string, std::unique_ptr<box<int>>> boxes;

	box<int> &get(const std::string &name)
	{
		auto &slot = boxes[name];
		if (!slot)
			slot = std::make_unique<box<int>>();
		return *slot;
	}
};

} // namespace shapes

namespace {

template <typename F> __attribute__((noinline)) int apply(F f, int n)
{
	int r = 0;
	for (int i = 0; i < n; i++)
		r += f(i);
	return r;
}

} // namespace

__attribute__((noinline)) static long fill(shapes::registry &reg, int n)
{
	for (int i = 0; i < n; i++)
		reg.get(i % 2 ? "odd" : "even").add(i);
	shapes::box<double> d;
	d.add(1.5);
	return reg.get("odd").sum() + (long)d.sum();
}

int main(int argc, char **)
{
	shapes::registry reg;
	long t = fill(reg, argc * 10);
	std::string s = "x";
	t += apply([&s](int i) { s += char('a' + i % 26); return (int)s.size(); }, argc + 5);
	std::printf("%ld %s\n", t, s.c_str());
	return 0;
}
