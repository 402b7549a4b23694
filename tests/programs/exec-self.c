/*
 * exec-self.c - a program that execs (without forking), once in vain.
 *
 * First image: 100 allocations of 33 bytes (50 freed), a failed execl of
 * a missing program, 5 allocations of 55 bytes, then execl of itself with
 * "child", which makes 10 allocations of 44 bytes.  Each image must end
 * up complete in a trace of its own.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void *volatile sink;

int
main(int argc, char **argv)
{
	void *b[100];
	int i;

	(void)argc;
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		for (i = 0; i < 10; i++)
			sink = malloc(44);
		return 0;
	}
	for (i = 0; i < 100; i++)
		b[i] = malloc(33);
	for (i = 0; i < 50; i++)
		free(b[i]);
	execl("/nonexistent/program", "program", (char *)NULL);
	for (i = 0; i < 5; i++)
		sink = malloc(55);
	execl("/proc/self/exe", argv[0], "child", (char *)NULL);
	return 1;
}
