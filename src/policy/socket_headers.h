// The socket headers of the address checks (net_rules.cc, net_special.cc):
// inet_pton/inet_ntop, sockaddr_in/_in6, AF_INET6 and ntohl come from
// <arpa/inet.h> and <netinet/in.h> on Unix and from Winsock's <ws2tcpip.h>
// on Windows (linked with ws2_32, which needs no WSAStartup for these). The
// calls and their semantics are the same, so this one header, rather than
// a -unix/-win32 pair of the whole matcher, is where the platforms differ.
#pragma once

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif
