/* merkle.h: RFC 6962 / RFC 9162 Merkle tree hashes and inclusion proofs,
 * as transparency logs (Rekor v1 and v2) use them: SHA-256, a leaf hash
 * SHA-256(0x00 || leaf), an inner node SHA-256(0x01 || left || right).
 * Pure computation; nothing is kept, nothing to free. */
#ifndef DR_SS_MERKLE_H
#define DR_SS_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#define DR_SS_MERKLE_HASH_LEN 32 /* SHA-256 */

/* The RFC 6962 leaf hash of len bytes of data into out. */
void dr_ss_merkle_leaf_hash(const unsigned char *data, size_t len, unsigned char out[DR_SS_MERKLE_HASH_LEN]);

/* Verify that leaf_hash is the leaf at index of a tree of size leaves whose root is root, with
 * the count proof hashes (RFC 9162 section 2.1.3.2: the audit path, leaf level first); 0, or -1
 * with why filled (index not below size, a path too short or too long, another root). */
int dr_ss_merkle_verify_inclusion(uint64_t index, uint64_t size, const unsigned char leaf_hash[DR_SS_MERKLE_HASH_LEN],
				  const unsigned char (*proof)[DR_SS_MERKLE_HASH_LEN], size_t count,
				  const unsigned char root[DR_SS_MERKLE_HASH_LEN], char *why, size_t why_cap);

#endif
