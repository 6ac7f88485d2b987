/**
 * Record parsing: flyweights over the bytes of one audit record line. Finds the header (node, type,
 * timestamp, serial) and splits the fields the way libauparse does, recording offsets only. Owns no
 * buffers of its own and never decodes a value to a String; assembly, interpretation and rules live
 * elsewhere.
 */
package io.auditalert.parse;
