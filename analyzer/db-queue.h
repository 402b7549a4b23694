/*
 * db-queue.h - run prepared statements on a thread of their own.
 *
 * While analyze reads events, SQLite took up to half of its only busy
 * core (a row is a microsecond of sqlite3_step); the other core sat
 * mostly idle.  A queue takes the statements with their arguments
 * (strings copied) and one thread runs them in order, so event loading
 * and row writing overlap.  Between db_queue_start and db_queue_stop the
 * caller must not use the connection itself: the statements it queues
 * are all prepared before, and db_queue_stop waits for every one to run.
 */
#ifndef HEAPTRAIL_DB_QUEUE_H
#define HEAPTRAIL_DB_QUEUE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

typedef struct db_queue db_queue;

/* The thread for DB's statements; NULL if it cannot be started (then the
   caller runs them itself). */
db_queue *db_queue_start(sqlite3 *db);

/*
 * Queues ST with arguments of TYPES, one letter each as load_exec takes
 * them ("i" int64_t, "d" double, "t" string or NULL, "n" null).  At most
 * DB_QUEUE_ARGS arguments.  Strings are copied: the caller's may go.
 * Blocks while the queue is full.
 */
#define DB_QUEUE_ARGS 10
void db_queue_exec(db_queue *q, sqlite3_stmt *st, const char *types,
    va_list ap);

/* The same with one int64_t and one string of LEN bytes (not copied
   beyond LEN; it need not end in NUL). */
void db_queue_exec_text(db_queue *q, sqlite3_stmt *st, int64_t a,
    const char *text, size_t len);

/*
 * Waits for every queued statement, ends the thread and frees Q.  Returns
 * NULL, or the first failure ("SQL: message", to be freed); statements
 * after a failure are not run.
 */
char *db_queue_stop(db_queue *q);

#endif /* HEAPTRAIL_DB_QUEUE_H */
