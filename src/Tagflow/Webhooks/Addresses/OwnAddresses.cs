using System.Collections.Frozen;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Tagflow.Webhooks;

/// <summary>
/// The addresses of this machine's own network interfaces. A webhook to one of them reaches the
/// machine Tagflow runs on, whatever range the address is in (a host name can resolve to the
/// machine's interface address as well as to 127.0.0.1), so they are refused like loopback.
/// </summary>
internal static class OwnAddresses
{
    /// <summary>Interfaces change rarely and connections are many: the list is read again at most this often.</summary>
    private static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private static Snapshot? _snapshot;

    private sealed record Snapshot(FrozenSet<IPAddress> Addresses, long ReadAt);

    /// <summary>The addresses, each in its <see cref="Plain"/> form.</summary>
    public static IReadOnlySet<IPAddress> Current
    {
        get
        {
            var snapshot = Volatile.Read(ref _snapshot);
            if (snapshot is null || Stopwatch.GetElapsedTime(snapshot.ReadAt) > MaxAge)
            {
                snapshot = new Snapshot(Read(), Stopwatch.GetTimestamp());
                Volatile.Write(ref _snapshot, snapshot);
            }
            return snapshot.Addresses;
        }
    }

    /// <summary>The address without what does not change the machine it leads to: an IPv6 zone, the IPv6-mapped form of an IPv4 address.</summary>
    public static IPAddress Plain(IPAddress address) =>
        address.IsIPv4MappedToIPv6 ? address.MapToIPv4()
        : address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes())
        : address;

    private static FrozenSet<IPAddress> Read() => NetworkInterface.GetAllNetworkInterfaces()
        .SelectMany(i => i.GetIPProperties().UnicastAddresses)
        .Select(u => Plain(u.Address))
        .ToFrozenSet();
}
