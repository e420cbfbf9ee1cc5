// Whether an override repeats or contradicts a policy rule: a rule whose only conditions are on
// user, team or feature, all met by everything the override matches, already routes those
// requests; the override then either says the same again or overrules it while it lasts.

const matchKeys = ["user", "team", "feature"];

function rank(ladder, tier) {
  const position = ladder.indexOf(tier);
  return position === -1 ? null : position;
}

/** Rules that match every request `match` does (their conditions are all on its keys). */
function coveringRules(policy, match) {
  return (policy?.rules ?? []).filter((rule) => {
    const conditions = Object.entries(rule.when ?? {});
    return conditions.length > 0 && conditions.every(([key, values]) =>
      matchKeys.includes(key) && match[key] !== undefined && (Array.isArray(values) ? values : [values]).includes(match[key]));
  });
}

/**
 * Warnings for an override (`{match, effect, tier}`) against the active policy: "repeats" when
 * the rule already gives what it asks, "overrules" when it changes the rule's tier.
 */
export function ruleWarnings(override, policy) {
  const ladder = policy?.ladder ?? [];
  const wanted = rank(ladder, override.tier);
  return coveringRules(policy, override.match ?? {}).map((rule) => {
    const ruled = rank(ladder, rule.tier);
    const who = Object.entries(override.match).map(([key, value]) => `${key} ${value}`).join(", ");
    let same;
    if (override.effect === "force_tier" || wanted === null || ruled === null) same = rule.tier === override.tier;
    else if (override.effect === "min_tier") same = ruled >= wanted;
    else same = ruled <= wanted;
    return same
      ? { kind: "repeats", rule: rule.id, message: `Rule ${rule.id} already sends ${who} to ${rule.tier}: this override repeats it.` }
      : { kind: "overrules", rule: rule.id, message: `Rule ${rule.id} sends ${who} to ${rule.tier}: this override overrules it while it lasts.` };
  });
}
