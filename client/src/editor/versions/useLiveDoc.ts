import { useEffect, useState } from "react";
import type { Journey } from "../../../../engine/index.ts";
import { versionDoc } from "../../pages/contact/versions.ts";

/** The live version's document (fetched once per version: versions never change). */
export function useLiveDoc(journeyId: string, version: number | null): Journey | null {
  const [doc, setDoc] = useState<{ version: number; doc: Journey } | null>(null);
  useEffect(() => {
    if (version === null) return;
    let current = true;
    versionDoc(journeyId, version)
      .then((d) => current && setDoc({ version, doc: d }))
      .catch(() => {});
    return () => {
      current = false;
    };
  }, [journeyId, version]);
  return doc && doc.version === version ? doc.doc : null;
}
