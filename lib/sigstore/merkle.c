/* merkle.c: RFC 9162 inclusion proof verification with Nettle's SHA-256. */

#include <stdio.h>
#include <string.h>

#include <nettle/sha2.h>

#include "merkle.h"

void dr_ss_merkle_leaf_hash(const unsigned char *data, size_t len, unsigned char out[DR_SS_MERKLE_HASH_LEN])
{
	static const uint8_t leaf_prefix = 0x00;
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, 1, &leaf_prefix);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, DR_SS_MERKLE_HASH_LEN, out);
}

/* The inner node hash SHA-256(0x01 || left || right) into out (which may be left or right). */
static void merkle_node_hash(const unsigned char *left, const unsigned char *right,
			     unsigned char out[DR_SS_MERKLE_HASH_LEN])
{
	static const uint8_t node_prefix = 0x01;
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, 1, &node_prefix);
	sha256_update(&ctx, DR_SS_MERKLE_HASH_LEN, left);
	sha256_update(&ctx, DR_SS_MERKLE_HASH_LEN, right);
	sha256_digest(&ctx, DR_SS_MERKLE_HASH_LEN, out);
}

int dr_ss_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf_hash[DR_SS_MERKLE_HASH_LEN],
				  const unsigned char (*proof)[DR_SS_MERKLE_HASH_LEN], size_t count,
				  const unsigned char root[DR_SS_MERKLE_HASH_LEN], char *why, size_t why_cap)
{
	unsigned char r[DR_SS_MERKLE_HASH_LEN];
	uint64_t fn = index, sn;

	if (index >= size) {
		snprintf(why, why_cap, "inclusion proof: leaf index %llu is not below the tree size %llu",
			 (unsigned long long)index, (unsigned long long)size);
		return -1;
	}
	sn = size - 1;
	memcpy(r, leaf_hash, sizeof r);
	/* RFC 9162 section 2.1.3.2, step by step. */
	for (size_t i = 0; i < count; i++) {
		if (sn == 0) {
			snprintf(why, why_cap, "inclusion proof: %zu hashes, more than the path has", count);
			return -1;
		}
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			if (!(fn & 1))
				while (!(fn & 1) && fn != 0) {
					fn >>= 1;
					sn >>= 1;
				}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		snprintf(why, why_cap, "inclusion proof: %zu hashes, fewer than the path has", count);
		return -1;
	}
	if (memcmp(r, root, sizeof r)) {
		snprintf(why, why_cap, "inclusion proof: the path does not lead to the root hash");
		return -1;
	}
	return 0;
}
