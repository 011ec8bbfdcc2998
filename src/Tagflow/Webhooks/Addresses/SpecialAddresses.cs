using System.Net;
using System.Net.Sockets;

namespace Tagflow.Webhooks;

/// <summary>
/// The addresses that are not global unicast, by IANA's IPv4 and IPv6 Special-Purpose Address
/// Registries (every entry that is not globally reachable), plus multicast and, for IPv6, anything
/// outside the global unicast space 2000::/3. The IPv6 forms that carry an IPv4 address to a
/// translator or relay (NAT64, 6to4) reach that address, so they are judged by it.
/// </summary>
internal static class SpecialAddresses
{
    private static readonly (IPNetwork Network, string Name)[] V4 =
    [
        (Net("0.0.0.0/8"), "\"this network\""),
        (Net("10.0.0.0/8"), "private-use"),
        (Net("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
        (Net("127.0.0.0/8"), "loopback"),
        (Net("169.254.0.0/16"), "link-local, where cloud metadata services are"),
        (Net("172.16.0.0/12"), "private-use"),
        // With the service continuity prefix, the dummy address, NAT64 discovery and the PCP and TURN anycast addresses: none is a webhook receiver.
        (Net("192.0.0.0/24"), "IETF protocol assignments"),
        (Net("192.0.2.0/24"), "documentation"),
        (Net("192.88.99.0/24"), "deprecated 6to4 relay anycast"),
        (Net("192.168.0.0/16"), "private-use"),
        (Net("198.18.0.0/15"), "benchmarking"),
        (Net("198.51.100.0/24"), "documentation"),
        (Net("203.0.113.0/24"), "documentation"),
        (Net("224.0.0.0/4"), "multicast"),
        (Net("255.255.255.255/32"), "limited broadcast"),
        (Net("240.0.0.0/4"), "reserved"),
    ];

    /// <summary>Checked in order, so a more specific entry names its range before the block around it.</summary>
    private static readonly (IPNetwork Network, string Name)[] V6 =
    [
        (Net("::/128"), "unspecified"),
        (Net("::1/128"), "loopback"),
        (Net("::ffff:0:0:0/96"), "IPv4-translated"),
        (Net("::/96"), "IPv4-compatible (deprecated)"),
        // Where the IPv4 address sits inside it depends on the operator's prefix length, which Tagflow cannot know.
        (Net("64:ff9b:1::/48"), "local-use IPv4/IPv6 translation"),
        (Net("100::/64"), "discard-only"),
        (Net("100:0:0:1::/64"), "dummy"),
        (Net("2001::/32"), "Teredo"),
        (Net("2001:2::/48"), "benchmarking"),
        (Net("2001:10::/28"), "deprecated ORCHID"),
        (Net("2001:20::/28"), "ORCHIDv2"),
        // The rest of the block is anycast and overlay addresses (PCP, TURN, AMT, AS112, DETs): none is a webhook receiver.
        (Net("2001::/23"), "IETF protocol assignments"),
        (Net("2001:db8::/32"), "documentation"),
        (Net("3fff::/20"), "documentation"),
        (Net("5f00::/16"), "segment routing (SRv6) SIDs"),
        (Net("fc00::/7"), "unique local"),
        (Net("fe80::/10"), "link-local"),
        (Net("fec0::/10"), "site-local (deprecated)"),
        (Net("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork Nat64 = Net("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = Net("2002::/16");
    private static readonly IPNetwork GlobalUnicast = Net("2000::/3");

    /// <summary>The name of the special-purpose range <paramref name="address"/> is in; null if it is global unicast.</summary>
    public static string? RangeOf(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetwork) return Find(V4, address);
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return "not an IP address";
        // ::ffff:0:0/96 is asked directly: IPNetwork.Contains takes such an address for the IPv4 one inside it.
        if (address.IsIPv4MappedToIPv6) return "IPv4-mapped";
        if (Find(V6, address) is { } name) return name;
        var bytes = address.GetAddressBytes();
        if (Nat64.Contains(address)) return Carried("NAT64", new IPAddress(bytes.AsSpan(12, 4)));
        if (SixToFour.Contains(address)) return Carried("6to4", new IPAddress(bytes.AsSpan(2, 4)));
        return GlobalUnicast.Contains(address) ? null : "outside the global unicast space";
    }

    private static string? Carried(string form, IPAddress inner) => RangeOf(inner) is { } range ? $"{form} for {inner}, {range}" : null;

    private static string? Find((IPNetwork Network, string Name)[] table, IPAddress address)
    {
        foreach (var (network, name) in table)
            if (network.Contains(address)) return name;
        return null;
    }

    private static IPNetwork Net(string cidr) => IPNetwork.Parse(cidr);
}
