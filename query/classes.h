/*
 * classes.h - the classes a site can have, in one order everywhere:
 * worst first (leak, unclear, steady, freed).  The analyzer judges them
 * (analyzer/classify.c); the CLI's tables and the browser rank, group
 * and show them through this.
 */
#ifndef HEAPTRAIL_CLASSES_H
#define HEAPTRAIL_CLASSES_H

struct class_info {
	const char *name;	/* as in the database: "leak" */
	char letter;		/* as in the browser: 'L' */
};

/* The classes, worst first; CLASSES_N of them. */
#define CLASSES_N 4
extern const struct class_info classes[CLASSES_N];

/* The rank of the class named NAME (0: the worst), CLASSES_N if none. */
int classes_rank(const char *name);

/* The rank of the class with LETTER, CLASSES_N if none. */
int classes_rank_of_letter(char letter);

/* The letter of the class named NAME, '?' if NAME is none of them. */
char classes_letter(const char *name);

/* The name of the class with LETTER, "?" if none. */
const char *classes_name_of_letter(char letter);

/*
 * SQL aggregate: the worst of a group's classes C, NULL if it has none.
 * In classes[]'s order (tests/unit/test-query.c checks that it is).
 */
#define CLASSES_WORST_SQL(c) \
	"CASE WHEN max(" c " = 'leak') THEN 'leak' WHEN max(" c " =" \
	" 'unclear') THEN 'unclear' WHEN max(" c " = 'steady') THEN" \
	" 'steady' WHEN max(" c " = 'freed') THEN 'freed' END"

#endif /* HEAPTRAIL_CLASSES_H */
