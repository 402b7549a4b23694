/*
 * protobuf.c - the Protocol Buffers wire format written (protobuf.h).
 */
#include <stdlib.h>
#include <string.h>

#include "protobuf.h"
#include "xmalloc.h"

enum { PB_VARINT = 0, PB_LENGTH = 2 };	/* wire types */

/* Room for N more bytes. */
static void
pb_reserve(struct pb *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	b->cap = b->cap * 2 > b->len + n ? b->cap * 2 : b->len + n + 256;
	b->data = xrealloc(b->data, b->cap);
}

void
pb_reset(struct pb *b)
{
	b->len = 0;
}

void
pb_free(struct pb *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void
pb_varint(struct pb *b, uint64_t v)
{
	pb_reserve(b, 10);
	while (v >= 0x80) {
		b->data[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->data[b->len++] = (uint8_t)v;
}

/* The key of field FIELD with wire type TYPE. */
static void
pb_key(struct pb *b, int field, int type)
{
	pb_varint(b, (uint64_t)field << 3 | (uint64_t)type);
}

void
pb_uint(struct pb *b, int field, uint64_t v)
{
	if (v == 0)
		return;
	pb_key(b, field, PB_VARINT);
	pb_varint(b, v);
}

void
pb_int(struct pb *b, int field, int64_t v)
{
	pb_uint(b, field, (uint64_t)v);
}

void
pb_bytes(struct pb *b, int field, const void *p, size_t n)
{
	pb_key(b, field, PB_LENGTH);
	pb_varint(b, n);
	pb_reserve(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
pb_message(struct pb *b, int field, const struct pb *sub)
{
	pb_bytes(b, field, sub->data, sub->len);
}

/* Bytes of V as a varint. */
static size_t
pb_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

void
pb_packed(struct pb *b, int field, const uint64_t *v, size_t n)
{
	size_t i, size = 0;

	if (n == 0)
		return;
	for (i = 0; i < n; i++)
		size += pb_varint_size(v[i]);
	pb_key(b, field, PB_LENGTH);
	pb_varint(b, size);
	for (i = 0; i < n; i++)
		pb_varint(b, v[i]);
}
