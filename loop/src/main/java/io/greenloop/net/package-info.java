/**
 * Cooperative networking for applications: TCP sockets, listeners, a stream server, UDP sockets and a DNS
 * lookup that park the calling greenlet instead of blocking its loop. Loop-bound: use each object on the
 * thread of the loop it was made on.
 */
package io.greenloop.net;
