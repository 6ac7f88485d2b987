/**
 * Tests of the native auditd plugin wrapper (native-wrapper/, C): they drive its shell test suite.
 * Owns no production code; must not depend on the Java pipeline.
 */
package io.auditalert.wrapper;
