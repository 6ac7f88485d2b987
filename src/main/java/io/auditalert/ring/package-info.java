/**
 * The ring between the reader and the workers: a JCTools bounded queue of recycled event slots,
 * with a byte budget, a full policy (drop or block, both counted) and worker threads that park when
 * idle. Moves slots; never reads their contents.
 */
package io.auditalert.ring;
