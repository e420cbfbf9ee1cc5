#ifndef CMICROHTTPD_SHIM_H
#define CMICROHTTPD_SHIM_H

#include <stdint.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <microhttpd.h>

/// Settings for CMicroHTTPD_start_daemon; Swift cannot call the variadic MHD_start_daemon.
typedef struct CMicroHTTPD_settings {
    unsigned int flags;
    const struct sockaddr *address;
    unsigned int thread_pool_size;
    unsigned int connection_timeout_seconds;
    unsigned int connection_limit;
    unsigned int per_client_connection_limit;
    size_t connection_memory_limit;
    const char *tls_key_pem;
    const char *tls_cert_pem;
} CMicroHTTPD_settings;

static inline struct MHD_Daemon *CMicroHTTPD_start_daemon(
    const CMicroHTTPD_settings *settings,
    MHD_AccessHandlerCallback handler, void *handler_context,
    MHD_RequestCompletedCallback completed, void *completed_context,
    void *(*uri_logger)(void *context, const char *uri, struct MHD_Connection *connection),
    MHD_NotifyConnectionCallback connections,
    MHD_AcceptPolicyCallback accept_policy)
{
    struct MHD_OptionItem options[] = {
        { MHD_OPTION_SOCK_ADDR, 0, (void *)settings->address },
        { MHD_OPTION_THREAD_POOL_SIZE, settings->thread_pool_size, NULL },
        { MHD_OPTION_CONNECTION_TIMEOUT, settings->connection_timeout_seconds, NULL },
        { MHD_OPTION_CONNECTION_LIMIT, settings->connection_limit, NULL },
        { MHD_OPTION_PER_IP_CONNECTION_LIMIT, settings->per_client_connection_limit, NULL },
        { MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)settings->connection_memory_limit, NULL },
        { MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL },
        { settings->tls_key_pem ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)settings->tls_key_pem },
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)settings->tls_cert_pem },
        { MHD_OPTION_END, 0, NULL },
    };
    unsigned int flags = settings->flags | (settings->tls_key_pem ? MHD_USE_TLS : 0);
    return MHD_start_daemon(flags, 0, accept_policy, handler_context, handler, handler_context,
                            MHD_OPTION_NOTIFY_COMPLETED, completed, completed_context,
                            MHD_OPTION_URI_LOG_CALLBACK, uri_logger, handler_context,
                            MHD_OPTION_NOTIFY_CONNECTION, connections, handler_context,
                            MHD_OPTION_ARRAY, options,
                            MHD_OPTION_END);
}

/// The port the daemon listens on (useful when started on port 0).
static inline uint16_t CMicroHTTPD_bound_port(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    return info ? info->port : 0;
}

/// The socket of a connection (-1 when unknown).
static inline int CMicroHTTPD_connection_fd(struct MHD_Connection *connection)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
    return info ? info->connect_fd : -1;
}

/// Number of connections currently open.
static inline unsigned int CMicroHTTPD_current_connections(struct MHD_Daemon *daemon)
{
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

#endif
