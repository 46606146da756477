// Compose subgraph SDL files into a supergraph with Apollo's composition library, as a
// router would: exit 1 with the composition errors if they do not compose.
// Usage: node compose.mjs <subgraph.graphql>...
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

const files = process.argv.slice(2);
if (files.length < 2) {
    console.error("usage: node compose.mjs <subgraph.graphql> <subgraph.graphql>...");
    process.exit(2);
}
const services = files.map((file) => {
    const name = basename(file, ".graphql");
    return { name, url: `http://${name}.invalid/graphql`, typeDefs: parse(readFileSync(file, "utf8")) };
});
const result = composeServices(services);
if (result.errors && result.errors.length > 0) {
    for (const e of result.errors) {
        console.error(`composition error: ${e.message}`);
    }
    process.exit(1);
}
const types = (result.supergraphSdl.match(/^(type|interface|union|enum|input|scalar) /gm) || []).length;
console.log(`composed ${services.map((s) => s.name).join(" + ")}: ${types} types in the supergraph`);
