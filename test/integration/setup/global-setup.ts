// Placeholder: replaced by the stack-finding setup (Foundation issue).
export default async function globalSetup(): Promise<void> {}
