-- schema.sql - the heaptrail analysis database, schema version 5.
--
-- Compiled into build/heaptrail (the Makefile makes build/gen/schema.c of
-- it) and run on an empty database by `heaptrail analyze`.  The tables
-- and views are the public interface for scripts: documented column by
-- column in heaptrail(5), stable within a schema version, which
-- PRAGMA user_version gives.  Times are seconds since the start of the
-- recording, sizes bytes, addresses integers.

PRAGMA user_version = 5;

-- Key facts of the run, one row per key: program, pid, duration_s,
-- events, allocations, frees, complete (1 if the recording ended cleanly),
-- cut_at (offset of a last frame cut short, 0 if none),
-- trace (path), trace_bytes, realtime_start (Unix seconds), buckets,
-- bucket_s, schema (5); the end of the work: work_end_s, work_end (what
-- ended it), live_bytes_end and live_blocks_end (then),
-- exit_live_bytes and exit_live_blocks (after the last event); anonymous
-- mappings: maps, unmaps, mapped_bytes_end, mapped_peak_bytes.
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value
);

-- ELF objects mapped during the run; one row per load (an object
-- loaded twice has two rows).
CREATE TABLE modules (
	id INTEGER PRIMARY KEY,		-- as in the trace
	path TEXT NOT NULL,
	name TEXT NOT NULL,		-- file name of path
	base INTEGER NOT NULL,		-- load bias
	text_start INTEGER,		-- executable range, runtime addresses
	text_end INTEGER,
	build_id TEXT,			-- hex, NULL if none
	load_time REAL NOT NULL,
	unload_time REAL,		-- NULL if still loaded at the end
	-- Memory of the sites in this module (a site's module is that of
	-- its frame):
	allocations INTEGER NOT NULL DEFAULT 0,
	live_blocks INTEGER NOT NULL DEFAULT 0,	-- at the end of the work
	live_bytes INTEGER NOT NULL DEFAULT 0,
	peak_bytes INTEGER NOT NULL DEFAULT 0,	-- highest live at any time
	mapped_bytes INTEGER NOT NULL DEFAULT 0,	-- of live_bytes, in
							-- anonymous mappings
	exit_live_blocks INTEGER NOT NULL DEFAULT 0,	-- after the last
	exit_live_bytes INTEGER NOT NULL DEFAULT 0	-- event
);

-- Threads of the run.
CREATE TABLE threads (
	id INTEGER PRIMARY KEY,		-- thread index in the trace
	tid INTEGER,			-- kernel thread id (0: exiting threads)
	name TEXT,
	start_time REAL,
	end_time REAL			-- NULL if it did not end before the run
);

-- Distinct return addresses and what they are: one row per address and
-- inline depth (depth 0 is the innermost, inlined-most frame).  Filled by
-- symbolization; function is NULL until then.
CREATE TABLE frames (
	address INTEGER NOT NULL,	-- runtime return address
	depth INTEGER NOT NULL,		-- 0 = innermost of the inline chain
	module_id INTEGER,		-- NULL if in no known module
	function TEXT,
	file TEXT,
	line INTEGER,
	inlined INTEGER NOT NULL DEFAULT 0,	-- 1: inlined into depth + 1
	PRIMARY KEY (address, depth)
) WITHOUT ROWID;

-- Call stacks as recorded: stack_frames lists each stack's return
-- addresses, position 0 innermost.
CREATE TABLE stacks (
	id INTEGER PRIMARY KEY,		-- as in the trace
	depth INTEGER NOT NULL,
	site_id INTEGER			-- the stack's allocation site
);
CREATE TABLE stack_frames (
	stack_id INTEGER NOT NULL,
	position INTEGER NOT NULL,
	address INTEGER NOT NULL,
	PRIMARY KEY (stack_id, position)
) WITHOUT ROWID;

-- Per stack totals over the run (sites add these up).
CREATE TABLE stack_stats (
	stack_id INTEGER PRIMARY KEY,
	allocations INTEGER NOT NULL,
	alloc_bytes INTEGER NOT NULL,
	frees INTEGER NOT NULL,
	freed_bytes INTEGER NOT NULL,
	live_blocks INTEGER NOT NULL,	-- at the end of the work
	live_bytes INTEGER NOT NULL,
	peak_bytes INTEGER NOT NULL,	-- highest live bytes at any time
	peak_time REAL,
	first_time REAL,		-- first allocation
	last_time REAL,			-- last allocation
	temporary INTEGER NOT NULL,	-- freed right after, nothing between
	exit_live_blocks INTEGER NOT NULL,	-- after the last event
	exit_live_bytes INTEGER NOT NULL
);

-- Live bytes and blocks of each stack at the end of each time bucket
-- where they changed (absent bucket: same as the one before).
CREATE TABLE stack_series (
	stack_id INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	live_bytes INTEGER NOT NULL,
	live_blocks INTEGER NOT NULL,
	allocations INTEGER NOT NULL,	-- made during the bucket
	alloc_bytes INTEGER NOT NULL,	-- allocated during the bucket
	PRIMARY KEY (stack_id, bucket)
) WITHOUT ROWID;

-- The same per site: live bytes and blocks of each site at the end of
-- each time bucket where they changed (absent: as the bucket before).
CREATE TABLE site_series (
	site_id INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	live_bytes INTEGER NOT NULL,
	live_blocks INTEGER NOT NULL,
	allocations INTEGER NOT NULL,
	alloc_bytes INTEGER NOT NULL,
	PRIMARY KEY (site_id, bucket)
) WITHOUT ROWID;

-- What became of each stack's blocks, by the bucket they were allocated
-- in and the bucket they went in (freed, replaced, unmapped), for those
-- that went in a later bucket; free_bucket = the number of buckets (200,
-- meta 'buckets') for those live at the end.  A block allocated and freed
-- within one bucket is never live at a bucket's end and has no row.  So
-- a stack's live bytes (blocks) at the end of bucket b, as in
-- stack_series, are the sum over its rows with alloc_bucket <= b <
-- free_bucket.  For a mapping cut in pieces by a partial unmap, blocks
-- is the change in live blocks: 0 or -1 (see heaptrail(5)).
CREATE TABLE stack_survival (
	stack_id INTEGER NOT NULL,
	alloc_bucket INTEGER NOT NULL,
	free_bucket INTEGER NOT NULL,	-- > alloc_bucket; 200: never
	blocks INTEGER NOT NULL,
	bytes INTEGER NOT NULL,
	PRIMARY KEY (stack_id, alloc_bucket, free_bucket)
) WITHOUT ROWID;

-- Distributions over all the blocks of each site, one row per non-empty
-- bin.  kind 'size': every allocation, in bin floor(log2(size)) (size 0:
-- bin 0).  'lifetime': blocks gone during the run, by free time - alloc
-- time in ns; bin k holds [10^(k-1), 10^k) ns, bin 0 holds 0.  'age':
-- blocks live at the end, by end of run - alloc time, binned alike.
CREATE TABLE site_histograms (
	site_id INTEGER NOT NULL,
	kind TEXT NOT NULL,		-- size, lifetime, age
	bin INTEGER NOT NULL,
	blocks INTEGER NOT NULL,
	bytes INTEGER NOT NULL,
	PRIMARY KEY (site_id, kind, bin)
) WITHOUT ROWID;

-- The whole heap over time, one row per bucket.
CREATE TABLE timeline (
	bucket INTEGER PRIMARY KEY,
	time REAL NOT NULL,		-- end of the bucket
	heap_bytes INTEGER NOT NULL,	-- live at the end of the bucket
	heap_blocks INTEGER NOT NULL,
	peak_bytes INTEGER NOT NULL,	-- highest within the bucket
	rss_bytes INTEGER,		-- last sample in the bucket, if any
	allocations INTEGER NOT NULL,	-- made during the bucket
	frees INTEGER NOT NULL,
	mapped_bytes INTEGER NOT NULL DEFAULT 0	-- anonymous mappings the
						-- program made, live then
);

-- heaptrail_mark() labels.
CREATE TABLE markers (
	id INTEGER PRIMARY KEY,
	time REAL NOT NULL,
	thread_id INTEGER,
	label TEXT NOT NULL
);

-- Frees of addresses that were not live, allocations over a live block,
-- events the recorder dropped.
CREATE TABLE anomalies (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL,		-- unknown_free, replaced_live, dropped
	time REAL,
	thread_id INTEGER,
	address INTEGER,
	stack_id INTEGER,		-- unknown_free: NULL (frees have none)
	count INTEGER NOT NULL DEFAULT 1
);

-- Blocks live at the end of the work (live_at_end = 1; free_time set
-- for those the teardown freed) or after the last event (free_time
-- NULL); with --all-blocks: every block, free_time set for those freed.
CREATE TABLE blocks (
	address INTEGER NOT NULL,
	size INTEGER NOT NULL,
	alloc_time REAL NOT NULL,
	free_time REAL,
	stack_id INTEGER NOT NULL,
	thread_id INTEGER,
	entry TEXT NOT NULL,		-- malloc, calloc, realloc, ...;
					-- mmap, mremap: a mapping
	live_at_end INTEGER NOT NULL DEFAULT 0	-- 1: live at the end of
						-- the work
);

-- Allocation sites: see heaptrail(5) for how stacks map to sites.
CREATE TABLE sites (
	id INTEGER PRIMARY KEY,
	address INTEGER,		-- the site's frame (return address)
	function TEXT,
	file TEXT,
	line INTEGER,
	module_id INTEGER,
	module TEXT,
	class TEXT,			-- leak, steady, unclear, freed
	pattern TEXT,
	allocations INTEGER NOT NULL,
	alloc_bytes INTEGER NOT NULL,
	frees INTEGER NOT NULL,
	live_blocks INTEGER NOT NULL,	-- at the end of the work
	live_bytes INTEGER NOT NULL,
	peak_bytes INTEGER NOT NULL,
	mapped_bytes INTEGER NOT NULL DEFAULT 0,	-- of live_bytes, in
							-- anonymous mappings
	exit_live_blocks INTEGER NOT NULL DEFAULT 0,	-- after the last
	exit_live_bytes INTEGER NOT NULL DEFAULT 0,	-- event
	growth_bytes_per_s REAL,		-- over the work
	first_time REAL,
	last_time REAL
);

CREATE VIEW leaks AS
	SELECT * FROM sites WHERE live_blocks > 0
	ORDER BY class = 'leak' DESC, live_bytes DESC;

CREATE VIEW growth AS
	SELECT * FROM sites ORDER BY growth_bytes_per_s DESC;

CREATE VIEW module_live AS
	SELECT m.name AS module, m.path AS path,
	    count(b.address) AS live_blocks,
	    coalesce(sum(b.size), 0) AS live_bytes
	FROM blocks b
	JOIN stacks s ON s.id = b.stack_id
	JOIN sites t ON t.id = s.site_id
	JOIN modules m ON m.id = t.module_id
	WHERE b.live_at_end = 1
	GROUP BY m.path
	ORDER BY live_bytes DESC;
