using System.Reflection;
using System.Runtime.CompilerServices;

namespace Tagflow.Client.Tests;

/// <summary>The public surface, checked by reflection.</summary>
public sealed class ConventionTests
{
    private static readonly Type[] PublicTypes = typeof(KlickTippClient).Assembly.GetExportedTypes();

    private static IEnumerable<MethodInfo> AsyncMethods() =>
        PublicTypes.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName && IsAsync(m.ReturnType));

    private static bool IsAsync(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask) ||
        type.IsGenericType && type.GetGenericTypeDefinition() is var g && (g == typeof(Task<>) || g == typeof(ValueTask<>) || g == typeof(IAsyncEnumerable<>));

    [Fact]
    public void TheClientKnowsNothingOfTheServer()
    {
        // The client speaks the wire to any KlickTipp-compatible server; it shares no code with Tagflow's.
        var client = typeof(KlickTippClient).Assembly;
        Assert.DoesNotContain(client.GetReferencedAssemblies(), a => string.Equals(a.Name, "tagflow", StringComparison.OrdinalIgnoreCase));
        Assert.All(client.GetTypes().Where(t => t.Namespace?.StartsWith("Tagflow", StringComparison.Ordinal) == true),
            t => Assert.StartsWith("Tagflow.Client", t.Namespace, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryPublicAsyncMethodTakesACancellationTokenLast()
    {
        var methods = AsyncMethods().ToList();
        Assert.NotEmpty(methods);
        var offenders = methods
            .Where(m => m.GetParameters() is not [.., { } last] || last.ParameterType != typeof(CancellationToken))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}")
            .ToList();
        Assert.True(offenders.Count == 0, "Without a CancellationToken last: " + string.Join(", ", offenders));
    }

    [Fact]
    public void EveryPublicAsyncMethodIsNamedAsync()
    {
        var offenders = AsyncMethods().Where(m => !m.Name.EndsWith("Async", StringComparison.Ordinal)).Select(m => $"{m.DeclaringType!.Name}.{m.Name}").ToList();
        Assert.True(offenders.Count == 0, "Not named …Async: " + string.Join(", ", offenders));
    }

    [Fact]
    public void StreamingMethodsPassTheirTokenToTheEnumerator()
    {
        // An async iterator only sees WithCancellation's token through [EnumeratorCancellation].
        var iterators = AsyncMethods()
            .Where(m => m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>))
            .Where(m => m.GetCustomAttribute<AsyncIteratorStateMachineAttribute>() is not null);
        foreach (var method in iterators)
            Assert.NotNull(method.GetParameters()[^1].GetCustomAttribute<EnumeratorCancellationAttribute>());
    }

    [Fact]
    public void OnlyTheClientNamespaceAndItsRegistrationArePublic()
    {
        // The wire plumbing (Tagflow.Client.Http) stays internal, so it can change without breaking callers.
        var misplaced = PublicTypes.Where(t => t.Namespace is not ("Tagflow.Client" or "Microsoft.Extensions.DependencyInjection")).Select(t => t.FullName).ToList();
        Assert.True(misplaced.Count == 0, "Public outside Tagflow.Client: " + string.Join(", ", misplaced));
    }

    [Fact]
    public void PublicClassesAreSealedOrAbstract()
    {
        var open = PublicTypes.Where(t => t.IsClass && !t.IsSealed && !t.IsAbstract).Select(t => t.Name).ToList();
        Assert.True(open.Count == 0, "Neither sealed nor abstract: " + string.Join(", ", open));
    }

    [Fact]
    public void ServicesCannotBeConstructedOutsideTheClient()
    {
        var services = PublicTypes.Where(t => t.Name.EndsWith("Service", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(services);
        Assert.All(services, s => Assert.Empty(s.GetConstructors()));
    }
}
