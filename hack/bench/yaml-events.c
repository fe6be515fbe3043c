/* The floor for any libyaml-based loader: parse a file with libyaml's event API and count the
 * events, building nothing. usage: yaml-events FILE */
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE\n", argv[0]);
        return 2;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 1;
    }
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fprintf(stderr, "yaml_parser_initialize failed\n");
        return 1;
    }
    yaml_parser_set_input_file(&parser, file);

    unsigned long count = 0;
    yaml_event_type_t type;
    do {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%zu:%zu: error: %s\n", argv[1], parser.problem_mark.line + 1,
                    parser.problem_mark.column + 1, parser.problem ? parser.problem : "parse error");
            return 1;
        }
        type = event.type;
        yaml_event_delete(&event);
        count++;
    } while (type != YAML_STREAM_END_EVENT);

    yaml_parser_delete(&parser);
    fclose(file);
    printf("%lu events\n", count);
    return 0;
}
