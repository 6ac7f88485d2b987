/**
 * Native access through JNA, for what the JDK cannot do: user and group lookups, the kernel's audit
 * status over netlink, prctl. Small, cached, and safe to call from any thread.
 */
package io.auditalert.sys;
