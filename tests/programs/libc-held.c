/*
 * libc-held.c - memory the C library allocates once and holds, beside a
 * leak of the program's own: setlocale(LC_ALL, "") loads the locale,
 * tzset() reads the time zone, the first printf() gets stdout's buffer
 * (the built-in suppressions match these), and lose() leaks 100 blocks
 * of 100 bytes (nothing matches it).
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

void *volatile sink;

static void __attribute__((noinline))
lose(void)
{
	sink = malloc(100);
}

int
main(void)
{
	int i;

	setlocale(LC_ALL, "");
	tzset();
	printf("hello\n");
	for (i = 0; i < 100; i++)
		lose();
	return 0;
}
