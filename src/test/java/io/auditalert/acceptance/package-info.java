/**
 * Acceptance tests of the whole product against a real auditd: captures made by the test itself,
 * replayed through the default rules, checked against what the raw log independently says.
 */
package io.auditalert.acceptance;
