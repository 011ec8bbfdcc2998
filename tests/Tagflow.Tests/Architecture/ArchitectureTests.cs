using System.Reflection;
using Microsoft.EntityFrameworkCore;
using NetArchTest.Rules;
using Tagflow.Data;

namespace Tagflow.Tests.Architecture;

/// <summary>
/// The arrows of ARCHITECTURE.md, checked on the compiled server: a reference a part must not make
/// fails here, naming the types that make it.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Server = typeof(TagflowDb).Assembly;

    /// <summary>The features, and the parts built on them (everything but Wire, Data and the root).</summary>
    private static readonly string[] Features =
    [
        "Tagflow.Accounts", "Tagflow.App", "Tagflow.Automations", "Tagflow.Blocklist", "Tagflow.Cli", "Tagflow.Contacts", "Tagflow.Delivery", "Tagflow.Events",
        "Tagflow.Fields", "Tagflow.Housekeeping", "Tagflow.Idempotency", "Tagflow.OptIns", "Tagflow.Tags", "Tagflow.Webhooks",
    ];

    [Fact]
    public void TheWireKnowsNoFeature() =>
        AssertKept(Types.InAssembly(Server).That().ResideInNamespace("Tagflow.Wire").ShouldNot().HaveDependencyOnAny(Features).GetResult(),
            "Wire/ must not reference a feature: let the feature hand the wire what it needs (endpoint metadata, a claim type the wire defines).");

    [Fact]
    public void DataKnowsOfTheFeaturesOnlyTheEntitiesItStores()
    {
        var stored = StoredTypes();
        var forbidden = FeatureTypes().Where(t => !stored.Contains(t)).Select(Name).ToArray();
        AssertKept(Types.InAssembly(Server).That().ResideInNamespace("Tagflow.Data").ShouldNot().HaveDependencyOnAny(forbidden).GetResult(),
            "Data/ may name the entities it stores, nothing else of a feature (no service, no API, not Automations' or Delivery's workers): "
            + "raise an after-commit notification instead, and let the feature listen.");
    }

    [Fact]
    public void DeliveryCallsNoFeatureApi()
    {
        var apis = Server.GetTypes().Where(t => t.Name.EndsWith("Api", StringComparison.Ordinal) && Features.Any(f => InNamespace(t, f))).Select(Name).ToArray();
        Assert.NotEmpty(apis);
        AssertKept(Types.InAssembly(Server).That().ResideInNamespace("Tagflow.Delivery").ShouldNot().HaveDependencyOnAny(apis).GetResult(),
            "Delivery/ sends what was stored; it must not call into a feature's HTTP API.");
    }

    [Fact]
    public void OnlyTheEntryPointKnowsTheCommandLine() =>
        AssertKept(Types.InAssembly(Server).That().DoNotResideInNamespace("Tagflow.Cli").And().DoNotHaveName("Program")
                .ShouldNot().HaveDependencyOnAny("Tagflow.Cli").GetResult(),
            "Cli/ is the top: the server and the features must not reference the admin commands.");

    [Fact]
    public void NoFeatureKnowsTheAdminApp() =>
        AssertKept(Types.InAssembly(Server).That().DoNotResideInNamespace("Tagflow.App").And().DoNotResideInNamespace("Tagflow.Cli")
                .And().DoNotHaveName("Server").ShouldNot().HaveDependencyOnAny("Tagflow.App").GetResult(),
            "App/ is a door like the API: the features must not reference it; it calls their services (ContactChanges, TagAdmin, …).");

    [Fact]
    public void OnlyTheAccountMigrationReadsThroughTheClient()
    {
        // The migration reads a source server through Tagflow.Client; nothing else of the server speaks to another server's API.
        string[] migration = ["Tagflow.Contacts.AccountMigration", "Tagflow.Cli.MigrateCommand"];
        var result = Types.InAssembly(Server).ShouldNot().HaveDependencyOnAny("Tagflow.Client").GetResult();
        var others = (result.FailingTypes ?? []).Select(t => t.FullName)
            .Where(name => !migration.Any(m => name == m || name.StartsWith(m + "/", StringComparison.Ordinal) || name.StartsWith(m + "+", StringComparison.Ordinal)))
            .ToList();
        Assert.True(others.Count == 0, $"Only the account migration may use Tagflow.Client.\nTypes that break it: {string.Join(", ", others)}");
        Assert.Contains(result.FailingTypes ?? [], t => t.FullName == migration[0]);
    }

    /// <summary>The types of the entities TagflowDb stores and of their properties (enums, value records), wherever they live.</summary>
    private static HashSet<Type> StoredTypes()
    {
        var entities = typeof(TagflowDb).GetProperties()
            .Where(p => p.PropertyType.IsGenericType && p.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>))
            .Select(p => p.PropertyType.GetGenericArguments()[0]).ToList();
        Assert.NotEmpty(entities);
        var stored = new HashSet<Type>(entities);
        foreach (var property in entities.SelectMany(e => e.GetProperties()))
            stored.Add(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType);
        return stored;
    }

    private static IEnumerable<Type> FeatureTypes() => Server.GetTypes().Where(t => Features.Any(f => InNamespace(t, f)) && !t.IsNested);

    private static bool InNamespace(Type type, string ns) => type.Namespace == ns || type.Namespace?.StartsWith(ns + ".", StringComparison.Ordinal) == true;

    private static string Name(Type type) => type.FullName!;

    private static void AssertKept(TestResult result, string rule)
    {
        var failing = result.FailingTypes?.Select(t => t.FullName).ToList() ?? [];
        Assert.True(result.IsSuccessful, $"{rule}\nTypes that break it: {string.Join(", ", failing)}");
    }
}
