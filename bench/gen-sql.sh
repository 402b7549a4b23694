#!/bin/sh
# gen-sql.sh - writes the SQL that the sqlite3 workload of `make bench`
# runs: two tables, ROWS (default 40000) customers' orders inserted one
# INSERT statement at a time in transactions of 1000, an index, then
# joins, GROUP BY, ORDER BY and an UPDATE and DELETE over them.  Values
# come from a fixed-seed generator: the same ROWS, the same file.
#
# usage: bench/gen-sql.sh [ROWS] > FILE.sql; sqlite3 :memory: '.read FILE.sql'
set -eu
rows=${1:-40000}
awk -v rows="$rows" '
function rnd(n) { seed = (seed * 1103515245 + 12345) % 2147483648; return int(seed / 65536) % n }
BEGIN {
	seed = 42
	split("north south east west central", region, " ")
	split("apple pear plum cherry grape melon lemon lime peach mango", item, " ")
	print "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT, region TEXT, since INTEGER);"
	print "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer INTEGER, item TEXT, qty INTEGER, price REAL, note TEXT);"
	customers = int(rows / 20) + 1
	print "BEGIN;"
	for (i = 1; i <= customers; i++)
		printf "INSERT INTO customer VALUES (%d, \x27customer %d %s\x27, \x27%s\x27, %d);\n", i, i, item[rnd(10) + 1], region[rnd(5) + 1], 2000 + rnd(25)
	print "COMMIT;"
	for (i = 1; i <= rows; i++) {
		if (i % 1000 == 1)
			print "BEGIN;"
		printf "INSERT INTO orders (customer, item, qty, price, note) VALUES (%d, \x27%s\x27, %d, %d.%02d, \x27%s order %d\x27);\n", rnd(customers) + 1, item[rnd(10) + 1], rnd(20) + 1, rnd(100), rnd(100), region[rnd(5) + 1], i
		if (i % 1000 == 0 || i == rows)
			print "COMMIT;"
	}
	print "CREATE INDEX orders_customer ON orders (customer);"
	print "CREATE INDEX orders_item ON orders (item, qty);"
	print "SELECT c.region, count(*), sum(o.qty * o.price) FROM orders o JOIN customer c ON c.id = o.customer GROUP BY c.region ORDER BY 3 DESC;"
	print "SELECT o.item, avg(o.qty), max(o.price) FROM orders o GROUP BY o.item ORDER BY o.item;"
	print "SELECT c.name, count(*) AS n FROM customer c JOIN orders o ON o.customer = c.id GROUP BY c.id ORDER BY n DESC, c.name LIMIT 20;"
	print "SELECT c.since, o.item, sum(o.qty) FROM customer c JOIN orders o ON o.customer = c.id WHERE o.qty > 10 GROUP BY c.since, o.item ORDER BY 1, 2;"
	print "SELECT count(DISTINCT note), group_concat(DISTINCT item) FROM orders;"
	print "UPDATE orders SET price = price * 1.1 WHERE item IN (\x27apple\x27, \x27plum\x27);"
	print "DELETE FROM orders WHERE qty < 3;"
	print "SELECT count(*), sum(price) FROM orders;"
}'
