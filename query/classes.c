/*
 * classes.c - the order of the classes (classes.h).
 */
#include <string.h>

#include "classes.h"

const struct class_info classes[CLASSES_N] = {
	{ "leak", 'L' },
	{ "unclear", 'U' },
	{ "steady", 'S' },
	{ "freed", 'F' },
};

int
classes_rank(const char *name)
{
	int i;

	for (i = 0; name != NULL && i < CLASSES_N; i++)
		if (strcmp(classes[i].name, name) == 0)
			return i;
	return CLASSES_N;
}

int
classes_rank_of_letter(char letter)
{
	int i;

	for (i = 0; i < CLASSES_N; i++)
		if (classes[i].letter == letter)
			return i;
	return CLASSES_N;
}

char
classes_letter(const char *name)
{
	int i = classes_rank(name);

	return i < CLASSES_N ? classes[i].letter : '?';
}

const char *
classes_name_of_letter(char letter)
{
	int i = classes_rank_of_letter(letter);

	return i < CLASSES_N ? classes[i].name : "?";
}
