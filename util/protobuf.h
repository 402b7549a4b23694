/*
 * protobuf.h - writing Protocol Buffers' wire format into a growing
 * buffer: enough for pprof's profile.proto (`heaptrail pprof`), which is
 * all varints, packed varints, strings and nested messages.
 *
 * A field is its number and wire type as a varint, then its value:
 * varint (type 0) for integers and bools; length-delimited (type 2) for
 * strings, nested messages and packed repeated integers.  Integers of
 * proto type int64 are their two's complement as a uint64 (negative ones
 * take ten bytes); proto3 leaves fields of value 0 out, and so do the
 * pb_uint() and pb_int() here.  A nested message is written into a
 * buffer of its own, then added whole with pb_message(), since its length
 * comes first.
 */
#ifndef HEAPTRAIL_PROTOBUF_H
#define HEAPTRAIL_PROTOBUF_H

#include <stddef.h>
#include <stdint.h>

struct pb {
	uint8_t *data;
	size_t len, cap;
};

#define PB_INIT { NULL, 0, 0 }

/* Empties B, keeping its memory for the next message. */
void pb_reset(struct pb *b);
void pb_free(struct pb *b);

/* A bare varint (no field key). */
void pb_varint(struct pb *b, uint64_t v);
/* Field FIELD as a varint, left out when V is 0. */
void pb_uint(struct pb *b, int field, uint64_t v);
void pb_int(struct pb *b, int field, int64_t v);
/* Field FIELD as the N bytes at P (a string or bytes), even when empty. */
void pb_bytes(struct pb *b, int field, const void *p, size_t n);
/* Field FIELD as the message SUB (all of it, even when empty). */
void pb_message(struct pb *b, int field, const struct pb *sub);
/* Field FIELD as N varints packed into one length-delimited field; left
   out when N is 0. */
void pb_packed(struct pb *b, int field, const uint64_t *v, size_t n);

#endif /* HEAPTRAIL_PROTOBUF_H */
