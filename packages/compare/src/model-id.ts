/** The provider id of a `provider:model` string: what comes before the first colon. */
export function providerOf(model: string): string {
  return model.slice(0, model.indexOf(':'));
}
