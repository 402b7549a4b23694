/*
 * test-protobuf.c - util/protobuf.c: the wire format of the examples in
 * Protocol Buffers' own encoding guide, negative int64s, empty strings
 * and messages, packed fields, and the zero values proto3 leaves out.
 */
#include "../../util/protobuf.h"
#include "test.h"

/* B holds exactly the N bytes WANT. */
static void
check_bytes(const struct pb *b, const uint8_t *want, size_t n,
    const char *what)
{
	size_t i;

	if (b->len != n) {
		test_fail_at("%s: %zu bytes, expected %zu", what, b->len, n);
		return;
	}
	for (i = 0; i < n; i++)
		if (b->data[i] != want[i]) {
			test_fail_at("%s: byte %zu is %02x, expected %02x",
			    what, i, b->data[i], want[i]);
			return;
		}
}

static void
test_guide(void)
{
	static const uint8_t varint[] = { 0x08, 0x96, 0x01 };
	static const uint8_t string[] = { 0x12, 0x07, 't', 'e', 's', 't',
	    'i', 'n', 'g' };
	static const uint8_t nested[] = { 0x1a, 0x03, 0x08, 0x96, 0x01 };
	static const uint8_t packed[] = { 0x22, 0x06, 0x03, 0x8e, 0x02, 0x9e,
	    0xa7, 0x05 };
	static const uint64_t values[] = { 3, 270, 86942 };
	struct pb b = PB_INIT, sub = PB_INIT;

	pb_uint(&b, 1, 150);
	check_bytes(&b, varint, sizeof varint, "field 1 = 150");
	pb_reset(&b);
	pb_bytes(&b, 2, "testing", 7);
	check_bytes(&b, string, sizeof string, "field 2 = \"testing\"");
	pb_reset(&b);
	pb_uint(&sub, 1, 150);
	pb_message(&b, 3, &sub);
	check_bytes(&b, nested, sizeof nested, "field 3 = { 1: 150 }");
	pb_reset(&b);
	pb_packed(&b, 4, values, 3);
	check_bytes(&b, packed, sizeof packed, "field 4 = [3, 270, 86942]");
	pb_free(&b);
	pb_free(&sub);
}

static void
test_edges(void)
{
	static const uint8_t minus_one[] = { 0x10, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t empty[] = { 0x32, 0x00, 0x1a, 0x00 };
	static const uint8_t big_field[] = { 0x80, 0x01, 0x01 };
	static const uint8_t max[] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0x01 };
	struct pb b = PB_INIT, sub = PB_INIT;
	uint64_t none = 0;

	pb_int(&b, 2, -1);
	check_bytes(&b, minus_one, sizeof minus_one, "int64 -1");
	pb_reset(&b);
	pb_uint(&b, 1, 0);
	pb_int(&b, 2, 0);
	pb_packed(&b, 3, &none, 0);
	expect_u64_eq(b.len, 0);	/* zero values and empty lists: out */
	pb_bytes(&b, 6, "", 0);
	pb_message(&b, 3, &sub);
	check_bytes(&b, empty, sizeof empty, "empty string and message");
	pb_reset(&b);
	pb_uint(&b, 16, 1);		/* a key of two bytes */
	check_bytes(&b, big_field, sizeof big_field, "field 16 = 1");
	pb_reset(&b);
	pb_varint(&b, UINT64_MAX);
	check_bytes(&b, max, sizeof max, "varint 2^64 - 1");
	pb_free(&b);
	pb_free(&sub);
}

/* A buffer that grows over many fields keeps every byte. */
static void
test_growth(void)
{
	struct pb b = PB_INIT;
	size_t i;
	int bad = 0;

	for (i = 0; i < 100000; i++)
		pb_uint(&b, 1, 300);	/* 08 ac 02 */
	expect_u64_eq(b.len, 300000);
	for (i = 0; i + 2 < b.len; i += 3)
		bad += b.data[i] != 0x08 || b.data[i + 1] != 0xac ||
		    b.data[i + 2] != 0x02;
	expect_u64_eq(bad, 0);
	pb_free(&b);
}

int
main(void)
{
	static const struct test tests[] = {
		{ "protobuf: the encoding guide's examples", test_guide },
		{ "protobuf: negative, empty, zero and wide values", test_edges },
		{ "protobuf: a buffer grown over many fields", test_growth },
		{ NULL, NULL },
	};

	return test_run(tests);
}
